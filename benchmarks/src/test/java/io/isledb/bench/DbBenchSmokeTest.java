package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test of the harness itself at a tiny scale: every engine and every workload runs, the
 * JSON round-trips and the report and chart are written. It checks shape, never speed.
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
            new LinkedHashSet<>(List.of("rocksdb", "isle-file", "isle-s3a")),
            new LinkedHashSet<>(DbBench.ALL_WORKLOADS),
            false);
    Path docs = tmp.resolve("docs");
    Files.createDirectories(docs);
    ObjectMapper json = new ObjectMapper();
    json.writeValue(docs.resolve("benchmarks.json").toFile(), doc);
    @SuppressWarnings("unchecked")
    Map<String, Object> reread =
        json.readValue(docs.resolve("benchmarks.json").toFile(), Map.class);
    Report.write(reread, reread, docs);

    for (String w : Report.COMPARED) {
      for (String e : List.of("rocksdb", "isle-file", "isle-s3a")) {
        assertThat(Report.median(reread, w, e)).as(w + " on " + e).isPositive();
      }
    }
    assertThat(Report.find(reread, "tail-latency", "isle-s3a")).isNotNull();
    assertThat(Report.find(reread, "raw-put-1-stream", "s3proxy")).isNotNull();
    String page = Files.readString(docs.resolve("BENCHMARKS.md"));
    assertThat(page)
        .contains(Report.COMMAND)
        .contains("## Summary: IsleDB / RocksDB, same run")
        .contains("| fillrandom |")
        .contains(Report.NOTES_START);
    byte[] png = Files.readAllBytes(docs.resolve("benchmarks.png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
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
