package io.isledb.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts Flink groups that ran on their own ({@code --workloads flink-state} and so on) into the
 * results document of another run, so that one page shows them all ({@code DbBench --merge}).
 *
 * <p>Why: on a 2-core machine the standard suite with every Flink group at its full size takes
 * hours, longer than one quiet period of a shared machine. Each group can then run when the machine
 * is quiet, and the page still says, per group, which run it comes from ({@code runs}: date,
 * commit, load average, minutes), so that no figure is passed off as part of another run. Ratios
 * only ever compare backends of one group's run.
 */
final class GroupRuns {
  /** The document key of each Flink group's own settings, as {@link DbBench#run} writes them. */
  static final Map<String, String> GROUP_KEYS =
      Map.of(
          "flink-state", "flink",
          "flink-restore", "flink_restore",
          "flink-job", "flink_job",
          "flink-connector", "flink_connector");

  /** What {@code runs} keeps of a run's environment. */
  private static final List<String> RUN_FIELDS =
      List.of(
          "date",
          "isledb_commit",
          "load_average_start",
          "load_average_end",
          "suite_minutes",
          "jvm_args");

  private GroupRuns() {}

  /**
   * Returns {@code base} with every Flink group of {@code group} replaced by that run's: its
   * results, its settings entry and a {@code runs} entry with that run's environment. Groups of
   * {@code base} that {@code group} did not run are kept.
   *
   * @throws IllegalArgumentException if {@code group} holds results of no Flink group, or engine
   *     workloads (those belong to the base run, whose environment the page's header states)
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> group) {
    Set<String> groups = new LinkedHashSet<>();
    for (Map<String, Object> r : Report.results(group)) {
      String g = String.valueOf(Report.path(r, "details", "group"));
      if (!GROUP_KEYS.containsKey(g)) {
        throw new IllegalArgumentException(
            "--merge takes runs of Flink groups only after the first file; "
                + group.get("environment")
                + " has a result of workload "
                + r.get("workload")
                + " outside them");
      }
      groups.add(g);
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException(
          "--merge: the run of " + Report.path(group, "environment", "date") + " has no results");
    }
    Map<String, Object> out = new LinkedHashMap<>(base);
    List<Map<String, Object>> results = new ArrayList<>();
    for (Map<String, Object> r : Report.results(base)) {
      if (!groups.contains(String.valueOf(Report.path(r, "details", "group")))) {
        results.add(r);
      }
    }
    results.addAll(Report.results(group));
    out.put("results", results);
    Map<String, Object> runs =
        new LinkedHashMap<>(
            base.get("runs") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
    Map<String, Object> env = (Map<String, Object>) group.get("environment");
    for (String g : groups) {
      String key = GROUP_KEYS.get(g);
      out.put(key, group.get(key));
      Map<String, Object> run = new LinkedHashMap<>();
      for (String f : RUN_FIELDS) {
        run.put(f, env.get(f));
      }
      runs.put(g, run);
    }
    out.put("runs", runs);
    return out;
  }

  /**
   * Rows of the page's environment table for the groups that come from runs of their own (none if
   * every figure is from the run the table describes).
   */
  @SuppressWarnings("unchecked")
  static List<String> environmentRows(Map<String, Object> doc) {
    List<String> rows = new ArrayList<>();
    if (!(doc.get("runs") instanceof Map<?, ?> runs)) {
      return rows;
    }
    for (Map.Entry<?, ?> e : runs.entrySet()) {
      Map<String, Object> run = (Map<String, Object>) e.getValue();
      rows.add(
          "| "
              + e.getKey()
              + " group: its own run | "
              + run.get("date")
              + ", commit "
              + run.get("isledb_commit")
              + ", "
              + Report.fmt(Report.num(run.get("suite_minutes")))
              + " minutes; load average start: "
              + run.get("load_average_start")
              + "; end: "
              + run.get("load_average_end")
              + "; "
              + run.get("jvm_args")
              + " |");
    }
    return rows;
  }
}
