package io.isledb.flink.connector.internal;

import io.isledb.flink.connector.IsleConnectorOptions;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Hadoop settings of a table: its {@code hadoop.*} options without the prefix, plus Flink's S3
 * plugin settings ({@code s3.*}) mapped onto S3A exactly as {@code flink-s3-fs-hadoop} maps them
 * ({@code s3.x} becomes {@code fs.s3a.x}; {@code access-key}, {@code secret-key} and {@code
 * path-style-access} are mirrored to their dotted S3A names). An explicit {@code hadoop.fs.s3a.*}
 * setting wins over a mapped one, so a user can override a shared Flink setting per table.
 */
public final class HadoopSettings {
  /**
   * Flink's dashed S3 keys and the S3A keys they stand for (as the Flink S3 plugin mirrors them).
   */
  private static final Map<String, String> MIRRORED =
      Map.of(
          "fs.s3a.access-key", "fs.s3a.access.key",
          "fs.s3a.secret-key", "fs.s3a.secret.key",
          "fs.s3a.path-style-access", "fs.s3a.path.style.access");

  private HadoopSettings() {}

  /** The Hadoop settings in {@code tableOptions} (which may hold any other option too). */
  public static Map<String, String> fromTableOptions(Map<String, String> tableOptions) {
    return from(
        tableOptions, IsleConnectorOptions.HADOOP_PREFIX, IsleConnectorOptions.FLINK_S3_PREFIX);
  }

  /**
   * The Hadoop settings in {@code options}: keys under {@code hadoopPrefix} pass through without
   * it, keys under {@code s3Prefix} are mapped onto S3A.
   */
  public static Map<String, String> from(
      Map<String, String> options, String hadoopPrefix, String s3Prefix) {
    Map<String, String> mapped = new TreeMap<>();
    options.forEach(
        (k, v) -> {
          if (k.startsWith(s3Prefix)) {
            String s3a = "fs.s3a." + k.substring(s3Prefix.length());
            mapped.put(MIRRORED.getOrDefault(s3a, s3a), v);
          }
        });
    Map<String, String> conf = new TreeMap<>(mapped);
    options.forEach(
        (k, v) -> {
          if (k.startsWith(hadoopPrefix)) {
            conf.put(k.substring(hadoopPrefix.length()), v);
          }
        });
    return conf;
  }
}
