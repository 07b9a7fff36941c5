package io.isledb.flink.state;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where the state databases of a job live: the store URI (scheme and authority), the base prefix
 * inside it, and the Hadoop settings to open it with.
 *
 * <p>This duplicates, in a smaller form, the connector's {@code TableLocation} and {@code
 * HadoopSettings} (flink-connector-isle): the state backend must not depend on the connector
 * module. Both follow the same rules: {@code s3://} and {@code s3n://} become {@code s3a://},
 * Flink's {@code s3.*} settings map onto {@code fs.s3a.*} as the {@code flink-s3-fs-hadoop} plugin
 * maps them, an explicit {@code state.backend.isle.hadoop.*} setting wins, and {@code ..} or {@code
 * .} path segments are refused.
 *
 * @param storeUri scheme and authority, e.g. {@code s3a://bucket/} or {@code file:///}
 * @param basePrefix the prefix of the state folder inside the store (no leading or trailing slash)
 * @param hadoopConf Hadoop settings (never logged: {@link #toString()} shows only the keys)
 */
record StateLocation(String storeUri, String basePrefix, Map<String, String> hadoopConf)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Flink's dashed S3 keys and the S3A keys they stand for. */
  private static final Map<String, String> MIRRORED =
      Map.of(
          "fs.s3a.access-key", "fs.s3a.access.key",
          "fs.s3a.secret-key", "fs.s3a.secret.key",
          "fs.s3a.path-style-access", "fs.s3a.path.style.access");

  StateLocation {
    hadoopConf = Collections.unmodifiableMap(new TreeMap<>(hadoopConf));
  }

  /**
   * The location named by {@code uri} (the value of {@code option}), with the Hadoop settings of
   * {@code config}.
   *
   * @throws IllegalConfigurationException naming the option when the URI has no scheme, a {@code
   *     ..} or {@code .} segment, no bucket, or is not a URI
   */
  static StateLocation of(String option, String uri, Map<String, String> hadoopConf) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalConfigurationException(
          "'" + option + "' is not a URI: '" + uri + "' (" + e.getReason() + ")");
    }
    String scheme = parsed.getScheme();
    if (scheme == null) {
      throw new IllegalConfigurationException(
          "'"
              + option
              + "' needs a scheme (file:///abs/dir, s3a://bucket/dir, ...): '"
              + uri
              + "'");
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (scheme.equals("s3") || scheme.equals("s3n")) {
      scheme = "s3a"; // as Flink's S3 plugin does: one implementation behind every S3 scheme
    }
    String path = parsed.getPath() == null ? "" : parsed.getPath();
    for (String segment : path.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        throw new IllegalConfigurationException(
            "'" + option + "' must not contain '" + segment + "' segments: '" + uri + "'");
      }
    }
    String authority = parsed.getAuthority() == null ? "" : parsed.getAuthority();
    if (!scheme.equals("file") && authority.isEmpty()) {
      throw new IllegalConfigurationException(
          "'" + option + "' needs a bucket or container after " + scheme + "://: '" + uri + "'");
    }
    return new StateLocation(scheme + "://" + authority + "/", trimSlashes(path), hadoopConf);
  }

  /**
   * The Hadoop settings in {@code config}: {@code state.backend.isle.hadoop.*} without the prefix,
   * over Flink's {@code s3.*} mapped onto S3A.
   */
  static Map<String, String> hadoopSettings(ReadableConfig config) {
    Map<String, String> all = config.toMap();
    Map<String, String> conf = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (k.startsWith(IsleStateBackendOptions.FLINK_S3_PREFIX)) {
            String s3a = "fs.s3a." + k.substring(IsleStateBackendOptions.FLINK_S3_PREFIX.length());
            conf.put(MIRRORED.getOrDefault(s3a, s3a), v);
          }
        });
    all.forEach(
        (k, v) -> {
          if (k.startsWith(IsleStateBackendOptions.HADOOP_PREFIX)) {
            conf.put(k.substring(IsleStateBackendOptions.HADOOP_PREFIX.length()), v);
          }
        });
    return conf;
  }

  /** The prefix of a database under this location: {@code basePrefix/child}. */
  String prefixOf(String child) {
    return basePrefix.isEmpty() ? child : basePrefix + "/" + child;
  }

  @Override
  public String toString() {
    return storeUri + basePrefix + " (hadoop settings: " + hadoopConf.keySet() + ")";
  }

  private static String trimSlashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '/') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(start, end);
  }
}
