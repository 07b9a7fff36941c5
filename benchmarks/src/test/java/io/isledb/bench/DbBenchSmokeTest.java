package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.flink.ConnectorSuite;
import io.isledb.bench.flink.FlinkStateSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test of the harness itself at a tiny scale: every engine and every workload runs (the
 * flink-state and flink-connector groups too, in their smoke modes), the JSON round-trips and the
 * report and charts are written. It checks shape, never speed.
 */
class DbBenchSmokeTest {
  @TempDir Path tmp;

  @Test
  void tinySuiteProducesResultsReportAndChart() throws Exception {
    Scale tiny = new Scale("tiny", 3_000, 2_000, 20, 200, 1, 500, 2, 50, 500, 2, 1, 1, 1L << 20);
    Map<String, Object> doc =
        DbBench.run(
            tiny,
            tmp.resolve("work"),
            1,
            // isle-s3a runs the same IsleEngine code on another URI; starting s3proxy and a cold
            // S3A client would triple the test's time, so the smoke test leaves it out.
            // forst and hashmap: Flink state backends only (the flink-state and flink-job groups).
            new LinkedHashSet<>(List.of("rocksdb", "isle-file", "forst", "hashmap")),
            // Everything but the raw storage limits (tested below on the local disk only): their
            // S3 part is a few plain PUTs and GETs and would add seconds to every build.
            // The commit workload has a test of its own (below: it needs the S3 server).
            withoutCommit(DbBench.ALL_WORKLOADS.subList(1, DbBench.ALL_WORKLOADS.size())),
            false);
    Path docs = tmp.resolve("docs");
    Map<String, Object> reread = roundTrip(doc, docs);
    Report.write(reread, reread, docs);

    for (String w : Report.COMPARED) {
      for (String e : List.of("rocksdb", "isle-file")) {
        assertThat(Report.median(reread, w, e)).as(w + " on " + e).isPositive();
      }
    }
    assertThat(Report.find(reread, "tail-latency", "isle-file")).isNotNull();
    // The flink-state group (child JVM, small key space): every operation on isle, the value
    // state operations on Flink's RocksDB, ForSt and hashmap (FlinkStateSuite's smoke mode).
    for (String op : FlinkStateSuite.OPS) {
      for (String b : List.of("isle-file", "hashmap", "rocksdb", "forst")) {
        if (op.startsWith("value.") || b.equals("isle-file")) {
          assertThat(Report.median(reread, op + "/small", b)).as(op + " on " + b).isPositive();
        }
      }
    }
    assertThat(Report.path(reread, "flink", "versions", "forstjni")).isNotNull();
    // The flink-restore group (child JVM, 1 MiB of state): checkpoint, restore and rescale on
    // isle, RocksDB and ForSt.
    for (String w : List.of("checkpoint", "restore", "rescale-2-3")) {
      for (String b : List.of("isle-file", "rocksdb", "forst")) {
        assertThat(Report.median(reread, w, b)).as(w + " on " + b).isPositive();
      }
    }
    // The flink-job group (MiniCluster in a child JVM, smoke mode): both jobs and the idle request
    // count on isle, the window job on the first peer. Shape only: a few hundred ms per job say
    // nothing about speed.
    for (String b : List.of("isle-file", "rocksdb")) {
      assertThat(Report.find(reread, "job.window", b)).as("window job on " + b).isNotNull();
    }
    assertThat(Report.find(reread, "job.join", "isle-file")).isNotNull();
    assertThat(
            Report.path(
                Report.find(reread, "job.idle", "isle-file"),
                "details",
                "requests_per_minute",
                "all"))
        .isNotNull();
    // The flink-connector group (child JVM, smoke sizes): every workload on both formats.
    for (String w : ConnectorSuite.WORKLOADS) {
      for (String f : List.of("isle-file", "paimon-file")) {
        assertThat(Report.find(reread, "connector." + w, f)).as(w + " on " + f).isNotNull();
      }
    }
    assertThat(Report.path(reread, "notes", "idle_requests_per_minute_isle-file", "reader"))
        .isNotNull();
    String page = Files.readString(docs.resolve("BENCHMARKS.md"));
    assertThat(page)
        .contains(Report.COMMAND)
        .contains("## Summary: IsleDB / RocksDB, same run")
        .contains("| fillrandom |")
        .contains(Report.NOTES_START)
        .contains("## Flink")
        .contains("| value.get | small |")
        .contains("### Checkpoints, restore and rescale (flink-restore group)")
        .contains("### Whole jobs (flink-job group)")
        .contains("| isle-file | idle, per minute |")
        .contains("### Connector: isle table vs Paimon")
        .contains("| scan-range | rows/s |");
    // Flink rows appear once, in the Flink section's own table, not among the engine workloads.
    assertThat(page.split("\\| value\\.get/small \\| rocksdb \\|", -1)).hasSize(2);
    for (String chart :
        List.of("benchmarks.png", FlinkReport.CHART, FlinkJobReport.CHART, ConnectorReport.CHART)) {
      byte[] png = Files.readAllBytes(docs.resolve(chart));
      assertThat(png).as(chart).startsWith(0x89, 'P', 'N', 'G');
    }
  }

  /** Writes {@code doc} as benchmarks.json into {@code docs} and reads it back, as main() does. */
  private static Map<String, Object> roundTrip(Map<String, Object> doc, Path docs)
      throws java.io.IOException {
    Files.createDirectories(docs);
    ObjectMapper json = new ObjectMapper();
    json.writeValue(docs.resolve("benchmarks.json").toFile(), doc);
    @SuppressWarnings("unchecked")
    Map<String, Object> reread =
        json.readValue(docs.resolve("benchmarks.json").toFile(), Map.class);
    return reread;
  }

  private static LinkedHashSet<String> withoutCommit(List<String> workloads) {
    LinkedHashSet<String> w = new LinkedHashSet<>(workloads);
    w.remove(ManifestCommits.WORKLOAD);
    return w;
  }

  /**
   * The commit workload at the quick suite's sizes: every combination of tables (file://, s3a://)
   * and manifest store (object store, PostgreSQL started by the workload) measured and in the
   * report's section. Shape only.
   */
  @Test
  void commitWorkloadComparesManifestStoresOnBothTableStores() throws Exception {
    Map<String, Object> doc =
        DbBench.run(
            Scale.quick(),
            tmp.resolve("work"),
            1,
            new LinkedHashSet<>(List.of("isle-file", "isle-s3a")),
            new LinkedHashSet<>(List.of(ManifestCommits.WORKLOAD)),
            false);
    Path docs = tmp.resolve("docs");
    Map<String, Object> reread = roundTrip(doc, docs);
    Report.write(reread, null, docs);
    String page = Files.readString(docs.resolve("BENCHMARKS.md"));
    assertThat(page).contains(ManifestCommitsReport.TITLE);
    for (String t : List.of("isle-file", "isle-s3a")) {
      for (String m : ManifestCommits.MANIFESTS) {
        assertThat(page).contains("| " + t + " | " + m + " | ");
        assertThat(Report.median(reread, ManifestCommits.WORKLOAD, ManifestCommits.engine(t, m)))
            .as(t + " with the manifest on " + m)
            .isPositive();
      }
      // Tables go to the object store whatever the manifest store; the jdbc rows' log appends are
      // statements on PostgreSQL.
      assertThat(
              Report.num(
                  Report.path(
                      Report.find(
                          reread, ManifestCommits.WORKLOAD, ManifestCommits.engine(t, "jdbc")),
                      "details",
                      "manifest_store_requests_per_commit",
                      "total")))
          .isPositive();
    }
  }

  @Test
  void rawLocalDiskMeasuresPutsAndGets() {
    List<Runs> r = RawStorage.localDisk(tmp.resolve("raw"), 64 << 10, 256 << 10, 1);
    assertThat(r)
        .extracting(x -> x.workload)
        .containsExactly("raw-put-1-stream", "raw-get-1-stream");
    assertThat(r).allSatisfy(x -> assertThat(x.median()).isPositive());
  }

  @Test
  void keysSortInIndexOrderAndMissingKeysFallBetween() {
    byte[] a = BenchData.key(41);
    byte[] m = BenchData.missingKey(41, new byte[BenchData.KEY_SIZE]);
    byte[] b = BenchData.key(42);
    assertThat(a).hasSize(20);
    assertThat(java.util.Arrays.compareUnsigned(a, m)).isNegative();
    assertThat(java.util.Arrays.compareUnsigned(m, b)).isNegative();
    assertThat(BenchData.indexOf(a)).isEqualTo(41);
    assertThat(BenchData.indexOf(m)).isEqualTo(-1);
    assertThat(new BenchData(1).value(5)).hasSize(400);
  }
}
