package io.isledb.bench.flink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes and settings of the flink-connector group ({@link ConnectorSuite}). They travel to the
 * child JVM as a JSON file.
 *
 * @param suite suite name (standard, quick, smoke)
 * @param rows rows of the SQL {@code INSERT} (and of the table the scans read)
 * @param dimRows rows of the lookup join's dimension table
 * @param probes probe rows of one lookup join run
 * @param hotFraction the probes draw their keys uniformly from this fraction of the dimension keys
 *     (spread over the whole table), so a cache of that many rows can hold them
 * @param streamCommits measured commits of the streaming read's latency run
 * @param streamBatchRows rows per such commit
 * @param streamBulkRows rows of the one large commit whose catch-up gives the streaming throughput
 * @param warmups unmeasured runs of each workload before its measured runs
 * @param runs measured runs of each workload
 * @param parallelism parallelism of every job (and Paimon's bucket count)
 * @param pollMillis poll interval of both streaming sources
 * @param formats table formats measured: isle-file, paimon-file, isle-s3a
 * @param work folder for the file:// tables
 * @param s3aUri bucket URI of the harness's S3 server for isle-s3a, or null
 * @param s3aConf Hadoop settings for that server
 */
public record ConnectorSettings(
    String suite,
    long rows,
    long dimRows,
    long probes,
    double hotFraction,
    int streamCommits,
    int streamBatchRows,
    long streamBulkRows,
    int warmups,
    int runs,
    int parallelism,
    long pollMillis,
    List<String> formats,
    String work,
    String s3aUri,
    Map<String, String> s3aConf) {

  /** The settings of a suite; {@code quick} and {@code smoke} only prove the workloads run. */
  public static ConnectorSettings named(String suite, String work, List<String> formats) {
    return switch (suite) {
      case "standard" ->
          new ConnectorSettings(
              suite,
              10_000_000,
              1_000_000,
              1_000_000,
              0.1,
              20,
              100,
              1_000_000,
              1,
              3,
              2,
              1000,
              formats,
              work,
              null,
              Map.of());
      case "quick" ->
          new ConnectorSettings(
              suite, 10_000, 10_000, 10_000, 0.1, 3, 10, 10_000, 1, 1, 2, 500, formats, work, null,
              Map.of());
      case "smoke" ->
          new ConnectorSettings(
              suite, 2_000, 1_000, 1_000, 0.1, 1, 10, 1_000, 0, 1, 2, 200, formats, work, null,
              Map.of());
      default -> throw new IllegalArgumentException("unknown flink-connector suite " + suite);
    };
  }

  /** The same settings at other sizes (a reduced run: {@code --connector-rows}). */
  public ConnectorSettings withRows(long rows, long dimRows, long probes, long bulkRows) {
    return new ConnectorSettings(
        suite,
        rows,
        dimRows,
        probes,
        hotFraction,
        streamCommits,
        streamBatchRows,
        bulkRows,
        warmups,
        runs,
        parallelism,
        pollMillis,
        formats,
        work,
        s3aUri,
        s3aConf);
  }

  /** The same settings with isle-s3a's server. */
  public ConnectorSettings withS3(String uri, Map<String, String> conf) {
    return new ConnectorSettings(
        suite,
        rows,
        dimRows,
        probes,
        hotFraction,
        streamCommits,
        streamBatchRows,
        streamBulkRows,
        warmups,
        runs,
        parallelism,
        pollMillis,
        formats,
        work,
        uri,
        Map.copyOf(conf));
  }

  /** Rows of the 1% key-range scan (at least one). */
  long rangeRows() {
    return Math.max(1, rows / 100);
  }

  /** The settings as stated in the report. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("rows", rows);
    m.put("dimension_rows", dimRows);
    m.put("probes", probes);
    m.put("hot_fraction", hotFraction);
    m.put("stream_commits", streamCommits);
    m.put("stream_batch_rows", streamBatchRows);
    m.put("stream_bulk_rows", streamBulkRows);
    m.put("warmups", warmups);
    m.put("runs", runs);
    m.put("parallelism_and_buckets", parallelism);
    m.put("poll_interval_ms", pollMillis);
    m.put("formats", formats);
    return m;
  }
}
