package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flink-restore tables: the restore rows' medians, ratios, first (cold) runs and goals. */
class FlinkRestoreReportTest {
  @Test
  void restoreRowsShowTheFirstColdRunBesideTheMedianAndJudgeTheGoalOnTheMedian() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put(
        "results",
        List.of(
            result("checkpoint", "isle-file", 0.1, List.of(0.1), Map.of()),
            result("checkpoint", "rocksdb", 0.2, List.of(0.2), Map.of()),
            result(
                "restore",
                "isle-file",
                0.05,
                List.of(0.05, 0.04, 0.06),
                Map.of("first_s", 0.21, "handles_given", 2)),
            result("restore", "rocksdb", 0.6, List.of(0.6), Map.of("first_s", 0.65)),
            // Recorded before first runs were: the cell stays empty.
            result("restore", "forst", 0.4, List.of(0.4), Map.of()),
            result("rescale-2-3", "isle-file", 0.2, List.of(0.2), Map.of("first_s", 0.5)),
            result("rescale-2-3", "rocksdb", 1.0, List.of(1.0), Map.of())));

    String md = FlinkRestoreReport.section(doc, false);

    assertThat(md)
        .contains(
            "| backend | time s (median) | runs s | / rocksdb | / forst | first (cold JVM) s |")
        .contains("| isle-file | 0.050 | 0.050, 0.040, 0.060 | 0.08x | 0.13x | 0.210 |")
        .contains("| rocksdb | 0.600 | 0.600 | 1.00x | 1.50x | 0.650 |")
        .contains("| forst | 0.400 | 0.400 | 0.67x | 1.00x |  |")
        // 0.05 s is within 0.1x of RocksDB's 0.6 s median, however slow the first run was.
        .containsPattern("\\| isle-file \\| 0\\.050 \\|.*\\| yes \\|")
        // 0.2 s is not within 0.1x of 1.0 s.
        .containsPattern("\\| isle-file \\| 0\\.200 \\|.*\\| \\*\\*no\\*\\* \\|");
  }

  private static Map<String, Object> result(
      String workload, String engine, double median, List<Double> runs, Map<String, Object> d) {
    Map<String, Object> details = new LinkedHashMap<>(d);
    details.put("group", FlinkRestoreReport.GROUP);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("workload", workload);
    r.put("engine", engine);
    r.put("unit", "s");
    r.put("median", median);
    r.put("runs", runs);
    r.put("details", details);
    return r;
  }
}
