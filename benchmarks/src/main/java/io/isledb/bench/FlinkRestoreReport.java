package io.isledb.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flink-restore part of the "Flink" section of {@code BENCHMARKS.md}: one table each for
 * checkpoints (duration, bytes uploaded against bytes changed, isle's requests per checkpoint),
 * restore at the same parallelism and rescale 2 to 3 (time to the first state access, bytes read),
 * with the ratios against RocksDB and ForSt of the same run and the goals of issues 13 and 15
 * marked met or not met.
 */
final class FlinkRestoreReport {
  static final String GROUP = "flink-restore";
  static final List<String> BACKENDS = List.of("isle-file", "isle-s3a", "rocksdb", "forst");

  /** Goal: checkpoint duration at most this fraction of RocksDB incremental's. */
  static final double CHECKPOINT_GOAL = 0.5;

  /** "Uploaded ≈ changed": uploaded bytes at most this multiple of the changed raw bytes. */
  static final double UPLOAD_GOAL = 1.5;

  /** Goal: restore and rescale time at most this fraction of RocksDB's. */
  static final double RESTORE_GOAL = 0.1;

  private FlinkRestoreReport() {}

  /** Whether a result belongs to this group (not the engine tables). */
  static boolean isRestore(Map<String, Object> result) {
    return GROUP.equals(Report.path(result, "details", "group"));
  }

  /**
   * The markdown of the group's tables; empty if the run had none. {@code heading}: also the
   * section's "## Flink" heading (when the flink-state group did not run).
   */
  static String section(Map<String, Object> doc, boolean heading) {
    boolean any = false;
    for (String b : BACKENDS) {
      any |= Report.find(doc, "checkpoint", b) != null;
    }
    if (!any) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    if (heading) {
      md.append("## Flink\n\n");
    }
    md.append("### Checkpoints, restore and rescale (flink-restore group)\n\n");
    md.append(
        "A keyed operator at parallelism 2 (128 key groups: 0-63 and 64-127), each subtask's"
            + " backend created through Flink's `StateBackend.createKeyedStateBackend` in a task"
            + " environment as a task manager does, writes the state below (value and map state,"
            + " `Long` keys) and takes a full checkpoint. **Checkpoint**: per run 1% of the keys"
            + " get a new value and one new map entry, then one checkpoint of both subtasks is"
            + " timed from the first `snapshot` call to the last completed handle (synchronous"
            + " parts one after the other, asynchronous parts at once); *uploaded* is the"
            + " handles' checkpointed size (RocksDB: new SST files; isle: bytes its store wrote"
            + " since the previous checkpoint), *changed* the raw key and value bytes rewritten."
            + " RocksDB runs with incremental checkpoints; RocksDB's and ForSt's checkpoint"
            + " storage is file://. Then the subtasks go and the last checkpoint is restored."
            + " **Restore**: 2 new subtasks of the same job (a failover), each given its own"
            + " handle. **Rescale 2 → 3**: 3 subtasks of a new job, each given the handles that"
            + " intersect its key groups (as Flink assigns them). Restores run at once (one thread"
            + " per subtask) and are timed until the last new subtask has served its first state"
            + " access (a value read of a key it owns). *Bytes read*: isle, its store's own"
            + " counters (gauges `isle.bytesRead`, `isle.requests`) from open to that first access,"
            + " including what the compaction that starts at open (it rewrites borrowed tables"
            + " in the background) read by then; RocksDB and ForSt, the sizes of the checkpoint"
            + " files their incremental restore downloads (every file of every handle given),"
            + " with the bytes on local disk after the restore in the JSON as a cross-check. For"
            + " the isle backends one more restore (unmeasured in the median) runs with"
            + " `state.backend.isle.compaction.enabled` false: its bytes are the restore's own."
            + " Medians of the measured runs after the warm-up runs. *First (cold JVM)*: the"
            + " first restore (or rescale) in the harness's JVM, the first warm-up run, as a task"
            + " manager's first restore is; the goal is judged on the median.\n\n");
    md.append("| | |\n| --- | --- |\n");
    md.append("| versions | ").append(Report.path(doc, "flink_restore", "versions")).append(" |\n");
    md.append("| settings | ").append(Report.path(doc, "flink_restore", "settings")).append(" |\n");
    md.append("| JVM options | ")
        .append(Report.path(doc, "flink_restore", "jvm_options"))
        .append(" |\n");
    md.append("| load average at the end | ")
        .append(Report.path(doc, "flink_restore", "load_average_end"))
        .append(" |\n\n");
    checkpoints(doc, md);
    restores(doc, md, "restore", "Restore (same parallelism, 2)");
    restores(doc, md, "rescale-2-3", "Rescale 2 → 3");
    return md.toString();
  }

  private static void checkpoints(Map<String, Object> doc, StringBuilder md) {
    md.append("#### Checkpoint, 1% of the keys changed\n\n");
    md.append(
        "Goal (issue 15): duration at most "
            + CHECKPOINT_GOAL
            + "x RocksDB incremental's, and uploaded ≈ changed (here: at most "
            + UPLOAD_GOAL
            + "x the changed raw bytes). Requests: the isle store's requests per checkpoint"
            + " (both subtasks), medians per kind.\n\n");
    md.append(
        "| backend | duration s (median) | runs s | / rocksdb | / forst | uploaded MiB | changed"
            + " MiB | uploaded / changed | full checkpoint s, MiB | requests per checkpoint"
            + " (GET, PUT, LIST, DELETE) | goal met |\n");
    md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n");
    double rocks = Report.median(doc, "checkpoint", "rocksdb");
    double forst = Report.median(doc, "checkpoint", "forst");
    for (String b : BACKENDS) {
      Map<String, Object> r = Report.find(doc, "checkpoint", b);
      if (r == null) {
        continue;
      }
      double d = Report.num(r.get("median"));
      double up = medianOf(Report.path(r, "details", "uploaded_bytes"));
      double changed = Report.num(Report.path(r, "details", "changed_bytes"));
      String requests = "";
      Object rq = Report.path(r, "details", "requests");
      if (rq instanceof List<?> l && !l.isEmpty()) {
        requests =
            Report.fmt(medianOf(l, "requests"))
                + " ("
                + Report.fmt(medianOf(l, "getRequests"))
                + ", "
                + Report.fmt(medianOf(l, "putRequests"))
                + ", "
                + Report.fmt(medianOf(l, "listRequests"))
                + ", "
                + Report.fmt(medianOf(l, "deleteRequests"))
                + ")";
      }
      String goal = "";
      if (b.startsWith("isle-")) {
        if (Double.isNaN(d) || Double.isNaN(rocks)) {
          goal = "not measured";
        } else {
          boolean fast = d <= CHECKPOINT_GOAL * rocks;
          boolean small = up <= UPLOAD_GOAL * changed;
          goal =
              (fast ? "duration yes" : "duration **no**")
                  + ", "
                  + (small ? "uploaded yes" : "uploaded **no**");
        }
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s | %s | %s, %s | %s | %s |%n",
              b,
              secs(d),
              runs(r),
              Report.ratio(d, rocks),
              Report.ratio(d, forst),
              mib(up),
              mib(changed),
              Report.ratio(up, changed),
              secs(Report.num(Report.path(r, "details", "full_checkpoint_s"))),
              mib(Report.num(Report.path(r, "details", "full_checkpoint_bytes"))),
              requests,
              goal));
    }
    md.append('\n');
  }

  private static void restores(
      Map<String, Object> doc, StringBuilder md, String workload, String title) {
    md.append("#### ").append(title).append("\n\n");
    md.append(
        "Goal (issues 13, 15): time to the first state access at most "
            + RESTORE_GOAL
            + "x RocksDB's (incremental).\n\n");
    md.append(
        "| backend | time s (median) | runs s | / rocksdb | / forst | first (cold JVM) s |"
            + " bytes read MiB | requests | isle, compaction off: s, MiB read, requests |"
            + " handles given | goal met |\n");
    md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
    double rocks = Report.median(doc, workload, "rocksdb");
    double forst = Report.median(doc, workload, "forst");
    for (String b : BACKENDS) {
      Map<String, Object> r = Report.find(doc, workload, b);
      if (r == null) {
        continue;
      }
      double t = Report.num(r.get("median"));
      double requests = medianOf(Report.path(r, "details", "requests"));
      String goal = "";
      if (b.startsWith("isle-")) {
        goal =
            Double.isNaN(t) || Double.isNaN(rocks)
                ? "not measured"
                : t <= RESTORE_GOAL * rocks ? "yes" : "**no**";
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              b,
              secs(t),
              runs(r),
              Report.ratio(t, rocks),
              Report.ratio(t, forst),
              first(r),
              mib(medianOf(Report.path(r, "details", "bytes_read"))),
              Double.isNaN(requests) ? "" : Report.fmt(requests),
              compactionOff(r),
              Report.path(r, "details", "handles_given"),
              goal));
    }
    md.append('\n');
  }

  /** The first (cold) run's time; empty for a run recorded before it was. */
  private static String first(Map<String, Object> r) {
    Object s = Report.path(r, "details", "first_s");
    return s == null ? "" : secs(Report.num(s));
  }

  /** The isle backends' extra restore with compaction off: time, MiB read, requests. */
  private static String compactionOff(Map<String, Object> r) {
    Object s = Report.path(r, "details", "compaction_off_s");
    if (s == null) {
      return "";
    }
    return secs(Report.num(s))
        + ", "
        + mib(Report.num(Report.path(r, "details", "compaction_off_bytes_read")))
        + ", "
        + Report.fmt(Report.num(Report.path(r, "details", "compaction_off_requests")));
  }

  private static String runs(Map<String, Object> r) {
    List<String> s = new ArrayList<>();
    for (Object v : (List<?>) r.get("runs")) {
      s.add(secs(Report.num(v)));
    }
    return String.join(", ", s);
  }

  private static String secs(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String mib(double bytes) {
    return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.2f", bytes / (1 << 20));
  }

  /** The median of a JSON list of numbers; NaN if it is not one. */
  static double medianOf(Object list) {
    if (!(list instanceof List<?> l) || l.isEmpty()) {
      return Double.NaN;
    }
    Runs x = new Runs("", "", "");
    for (Object v : l) {
      x.add(Report.num(v));
    }
    return x.median();
  }

  /** The median of field {@code key} of a JSON list of objects. */
  private static double medianOf(List<?> list, String key) {
    List<Object> values = new ArrayList<>();
    for (Object o : list) {
      values.add(Report.path(o, key));
    }
    return medianOf(values);
  }
}
