package io.isledb.flink.connector.internal;

import io.isledb.IsleException;
import io.isledb.flink.connector.IsleConnectorOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a table lives: the store URI (scheme and authority, e.g. {@code s3a://bucket}), the
 * database prefix inside it (the URI's path) and the Hadoop settings to open it with. Built from
 * the table's {@code path} and its {@code hadoop.*} and {@code s3.*} options.
 *
 * <p>{@link #toString()} never shows a secret: the Hadoop settings it prints are {@link
 * Secrets#redact redacted}, nor the manifest store's password. Serializable through its record
 * components.
 *
 * @param storeUri scheme and authority, {@code file:///} for local paths
 * @param prefix the database prefix inside the store (no leading or trailing slash)
 * @param hadoopConf Hadoop settings (keys without the {@code hadoop.} prefix)
 * @param manifest where the database's manifest is kept (its {@code manifest.*} options)
 */
public record TableLocation(
    String storeUri, String prefix, Map<String, String> hadoopConf, ManifestSettings manifest)
    implements java.io.Serializable {
  private static final long serialVersionUID = 2L;

  public TableLocation {
    hadoopConf = java.util.Collections.unmodifiableMap(new TreeMap<>(hadoopConf));
    manifest = manifest == null ? ManifestSettings.OBJECT_STORE : manifest;
  }

  /** A location whose manifest is on the object store (the default). */
  public TableLocation(String storeUri, String prefix, Map<String, String> hadoopConf) {
    this(storeUri, prefix, hadoopConf, ManifestSettings.OBJECT_STORE);
  }

  /**
   * The location of {@code path} with the Hadoop settings found in {@code tableOptions} ({@code
   * hadoop.*} pass-through, Flink's {@code s3.*} mapped onto S3A) and the manifest store its {@code
   * manifest.*} options select ({@link ManifestSettings#of}).
   *
   * @throws IsleException INVALID_ARGUMENT naming the path when it has no scheme, a {@code ..} or
   *     {@code .} segment, no database prefix, or a scheme no Hadoop FileSystem serves; naming the
   *     option for invalid {@code manifest.*} options
   */
  public static TableLocation of(String path, Map<String, String> tableOptions) {
    if (path == null || path.isBlank()) {
      throw IsleException.invalidArgument(
          "option '" + IsleConnectorOptions.PATH.key() + "' is required: the table's location");
    }
    String shown = withoutUserInfo(path);
    URI uri;
    try {
      uri = new URI(path);
    } catch (URISyntaxException e) {
      throw IsleException.invalidArgument("option 'path' is not a URI: '" + shown + "'");
    }
    if (uri.getRawUserInfo() != null) {
      // s3a://key:secret@bucket/... would put credentials into every message naming the path.
      throw IsleException.invalidArgument(
          "option 'path' must not hold credentials before '@' (give them as Hadoop settings,"
              + " such as 'hadoop.fs.s3a.access.key' and 'hadoop.fs.s3a.secret.key'): '"
              + shown
              + "'");
    }
    path = shown;
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw IsleException.invalidArgument(
          "option 'path' needs a scheme (file:///abs/dir, s3a://bucket/dir, ...): '" + path + "'");
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (scheme.equals("s3") || scheme.equals("s3n")) {
      scheme = "s3a"; // as Flink's S3 plugin does: one implementation behind every S3 scheme
    }
    String rawPath = uri.getPath() == null ? "" : uri.getPath();
    for (String segment : rawPath.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        throw IsleException.invalidArgument(
            "option 'path' must not contain '" + segment + "' segments: '" + path + "'");
      }
    }
    String prefix = trimSlashes(rawPath);
    if (prefix.isEmpty()) {
      throw IsleException.invalidArgument(
          "option 'path' names no database inside the store (add a path, such as "
              + scheme
              + "://bucket/tables/orders): '"
              + path
              + "'");
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    if (!scheme.equals("file") && authority.isEmpty()) {
      throw IsleException.invalidArgument(
          "option 'path' needs a bucket or container after " + scheme + "://: '" + path + "'");
    }
    Map<String, String> conf = HadoopSettings.fromTableOptions(tableOptions);
    requireFileSystem(scheme, conf, path);
    ManifestSettings manifest = ManifestSettings.of(tableOptions);
    return new TableLocation(scheme + "://" + authority + "/", prefix, conf, manifest);
  }

  /** {@code storeUri + prefix}: the table's location as users write it (s3 shown as s3a). */
  public String uri() {
    return storeUri + prefix;
  }

  /**
   * The settings whose secret values must be scrubbed from messages: the Hadoop settings and the
   * manifest store's password.
   */
  public Map<String, String> secretSettings() {
    Map<String, String> out = new TreeMap<>(hadoopConf);
    if (manifest.password() != null) {
      out.put(IsleConnectorOptions.MANIFEST_JDBC_PASSWORD.key(), manifest.password());
    }
    return out;
  }

  @Override
  public String toString() {
    return uri()
        + (hadoopConf.isEmpty() ? "" : " " + Secrets.redact(hadoopConf))
        + (manifest.isObjectStore() ? "" : " (" + manifest + ")");
  }

  private static void requireFileSystem(String scheme, Map<String, String> conf, String path) {
    Configuration hc = new Configuration(false);
    hc.addResource("core-default.xml");
    conf.forEach(hc::set);
    try {
      FileSystem.getFileSystemClass(scheme, hc);
    } catch (java.io.IOException e) {
      throw IsleException.invalidArgument(
          "option 'path' has the scheme '"
              + scheme
              + "', which no Hadoop FileSystem on the classpath serves: '"
              + path
              + "'");
    }
  }

  /** {@code path} with anything between {@code //} and an {@code @} of its authority hidden. */
  static String withoutUserInfo(String path) {
    return path.replaceFirst("^([^/:]*:)?//[^/@]*@", "$1//" + Secrets.HIDDEN + "@");
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
