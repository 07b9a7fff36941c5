package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupRunsTest {

  private static Map<String, Object> result(String workload, String engine, String group) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("workload", workload);
    r.put("engine", engine);
    r.put("median", 1.0);
    r.put("details", group == null ? Map.of() : Map.of("group", group));
    return r;
  }

  private static Map<String, Object> doc(String date, List<Map<String, Object>> results) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put(
        "environment",
        Map.of(
            "date",
            date,
            "isledb_commit",
            "c-" + date,
            "load_average_start",
            "0.5",
            "load_average_end",
            "0.7",
            "suite_minutes",
            42.0,
            "jvm_args",
            List.of("-Xmx6g")));
    d.put("results", results);
    return d;
  }

  @Test
  void aGroupRunReplacesThatGroupOnlyAndIsStatedAsItsOwnRun() {
    Map<String, Object> base =
        doc(
            "base",
            List.of(
                result("fillseq", "isle-file", null),
                result("value.get/small", "isle-file", "flink-state"),
                result("restore", "isle-file", "flink-restore")));
    base.put("flink", Map.of("settings", "old"));
    base.put("flink_restore", Map.of("settings", "kept"));
    Map<String, Object> state =
        doc(
            "state",
            List.of(
                result("value.get/small", "isle-file", "flink-state"),
                result("value.get/large", "rocksdb", "flink-state")));
    state.put("flink", Map.of("settings", "new"));

    Map<String, Object> merged = GroupRuns.merge(base, state);

    assertThat(Report.results(merged))
        .extracting(r -> (String) r.get("workload"))
        .containsExactly("fillseq", "restore", "value.get/small", "value.get/large");
    assertThat(Report.results(merged).get(2)).isSameAs(Report.results(state).get(0));
    assertThat(merged.get("flink")).isEqualTo(Map.of("settings", "new"));
    assertThat(merged.get("flink_restore")).isEqualTo(Map.of("settings", "kept"));
    assertThat(merged.get("environment")).isSameAs(base.get("environment"));
    assertThat(Report.path(merged, "runs", "flink-state", "date")).isEqualTo("state");
    assertThat(Report.path(merged, "runs", "flink-restore")).isNull();

    List<String> rows = GroupRuns.environmentRows(merged);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0))
        .startsWith("| flink-state group: its own run | state, commit c-state, 42.0 minutes")
        .contains("start: 0.5; end: 0.7");
  }

  @Test
  void aLaterRunOfTheSameGroupReplacesTheEarlierOne() {
    Map<String, Object> base = doc("base", List.of(result("fillseq", "rocksdb", null)));
    Map<String, Object> first =
        doc("first", List.of(result("restore", "isle-file", "flink-restore")));
    Map<String, Object> second =
        doc("second", List.of(result("rescale", "isle-file", "flink-restore")));

    Map<String, Object> merged = GroupRuns.merge(GroupRuns.merge(base, first), second);

    assertThat(Report.results(merged))
        .extracting(r -> (String) r.get("workload"))
        .containsExactly("fillseq", "rescale");
    assertThat(Report.path(merged, "runs", "flink-restore", "date")).isEqualTo("second");
    assertThat(GroupRuns.environmentRows(base)).isEmpty();
  }

  @Test
  void engineWorkloadsOrEmptyRunsAreRefusedAfterTheBase() {
    Map<String, Object> base = doc("base", List.of(result("fillseq", "rocksdb", null)));
    Map<String, Object> engines =
        doc(
            "engines",
            List.of(
                result("restore", "isle-file", "flink-restore"),
                result("readrandom-hot", "isle-file", null)));

    assertThatThrownBy(() -> GroupRuns.merge(base, engines))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workload readrandom-hot");
    assertThatThrownBy(() -> GroupRuns.merge(base, doc("empty", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the run of empty has no results");
  }
}
