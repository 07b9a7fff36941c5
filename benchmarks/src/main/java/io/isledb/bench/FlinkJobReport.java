package io.isledb.bench;

import io.isledb.bench.flink.FlinkJobSuite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The whole-job part of the "Flink" section (the flink-job group) and its chart {@code
 * benchmarks-flink-job.png}: records/s per job and backend, the isle backends' ratios against
 * RocksDB and ForSt measured in the same run with the goal of issue 15 (at least RocksDB's
 * throughput) marked met or not met, and the object-store requests of a running isle job per idle
 * minute and per checkpoint, by kind.
 */
final class FlinkJobReport {
  static final String CHART = "benchmarks-flink-job.png";
  static final List<String> BACKENDS =
      List.of("isle-file", "isle-s3a", "rocksdb", "forst", "hashmap");
  static final List<String> KINDS = List.of("GET", "PUT", "LIST", "DELETE");

  private FlinkJobReport() {}

  /** Whether a result belongs to this group. */
  static boolean isJob(Map<String, Object> result) {
    return FlinkJobSuite.GROUP.equals(Report.path(result, "details", "group"));
  }

  /** The markdown of the part; empty if the run had no flink-job group. */
  static String section(Map<String, Object> doc) {
    if (Report.path(doc, "flink_job") == null) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append("### Whole jobs (flink-job group)\n\n");
    md.append(
        "Two keyed jobs on a local MiniCluster (one task manager, parallelism 2, one slot per"
            + " subtask with the small managed memory below, which RocksDB, ForSt and IsleDB size"
            + " their write buffers and block cache from), over generated `(key, value)` events"
            + " (Flink's `DataGeneratorSource`, key and value drawn from a seed and the record"
            + " index, keys uniform): **window**, a count and sum per key in tumbling"
            + " processing-time windows (one timer per key and window, state cleared when it"
            + " fires); **join**, a regular join of two such streams on the key that keeps the"
            + " latest value of each side per key (value state; the state grows to both key spaces"
            + " and stays). Both checkpoint at the interval below (RocksDB and ForSt incremental;"
            + " Flink's checkpoint directory on file:// for every backend, IsleDB's state on its"
            + " own store). A figure is the records/s the keyed operator processed (a counter in"
            + " the operator) over one measured window after the warm-up; the table gives the"
            + " median of the windows. The jobs run in the flink-state group's child JVM setup"
            + " (same JVM options for every backend), one job at a time.\n\n");
    md.append("| | |\n| --- | --- |\n");
    md.append("| versions | ").append(Report.path(doc, "flink_job", "versions")).append(" |\n");
    md.append("| settings | ").append(Report.path(doc, "flink_job", "settings")).append(" |\n");
    md.append("| backends | ").append(Report.path(doc, "flink_job", "backends")).append(" |\n\n");
    md.append(
        "Goal (issue 15): at least 1.0x RocksDB's records/s. The s3a:// backend shares the"
            + " machine's cores with the S3 server (a child JVM).\n\n");
    md.append(
        "| job | isle-file | isle-s3a | rocksdb | forst | hashmap | file / rocksdb | s3a /"
            + " rocksdb | file / forst | s3a / forst | goal met (file, s3a) |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (String job : FlinkJobSuite.JOBS) {
      String w = "job." + job;
      double r = Report.median(doc, w, "rocksdb");
      double f = Report.median(doc, w, "forst");
      List<String> cells = new ArrayList<>(List.of(job));
      for (String b : BACKENDS) {
        cells.add(Report.fmt(Report.median(doc, w, b)));
      }
      List<String> goal = new ArrayList<>();
      for (String peer : List.of("rocksdb", "forst")) {
        for (String b : FlinkReport.ISLE) {
          cells.add(Report.ratio(Report.median(doc, w, b), peer.equals("rocksdb") ? r : f));
        }
      }
      for (String b : FlinkReport.ISLE) {
        double v = Report.median(doc, w, b);
        goal.add(Double.isNaN(v) || Double.isNaN(r) ? "not measured" : v >= r ? "yes" : "**no**");
      }
      cells.add(String.join(", ", goal));
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    md.append("\n![IsleDB whole jobs / RocksDB and ForSt](").append(CHART).append(")\n\n");
    md.append(
        "| job | backend | median | min | max | runs | checkpoints in the measured runs |"
            + " mean checkpoint ms | mean checkpointed bytes |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Map<String, Object> res : Report.results(doc)) {
      if (isJob(res) && !"idle".equals(Report.path(res, "details", "job"))) {
        md.append(
            String.format(
                "| %s | %s | %s | %s | %s | %d | %s | %s | %s |%n",
                Report.path(res, "details", "job"),
                res.get("engine"),
                Report.fmt(Report.num(res.get("median"))),
                Report.fmt(Report.num(res.get("min"))),
                Report.fmt(Report.num(res.get("max"))),
                ((List<?>) res.get("runs")).size(),
                Report.path(res, "details", "checkpoints_measured"),
                checkpointFigure(res, "checkpoint_ms_avg"),
                checkpointFigure(res, "checkpointed_bytes_avg")));
      }
    }
    md.append('\n');
    requests(doc, md);
    return md.toString();
  }

  /** A mean over the job's completed checkpoints; n/a if none completed (Flink reports 0). */
  private static String checkpointFigure(Map<String, Object> res, String key) {
    return Report.num(Report.path(res, "details", "checkpoints_completed_total")) > 0
        ? Report.fmt(Report.num(Report.path(res, "details", key)))
        : "n/a";
  }

  /** The requests table: idle minutes and checkpoints of the isle backends. */
  private static void requests(Map<String, Object> doc, StringBuilder md) {
    md.append("#### Object-store requests of a running isle job\n\n");
    md.append(
        "IsleDB's own requests by kind (the backends' `isle.*` request gauges summed over the"
            + " subtasks; `other` = existence checks, the rest of `all`). *idle*: a join job whose"
            + " sources stop after loading its state, measured after two more checkpoints, with"
            + " checkpoints still running at the interval above (so an idle minute includes its"
            + " checkpoints), scaled to a minute; *per checkpoint* divides by the checkpoints"
            + " completed in the interval. *window*, *join*: the same counts over the measured"
            + " runs of the jobs under full load (memtable flushes and compactions included).\n\n");
    md.append(
        "| backend | measurement | interval s | checkpoints | all | GET | PUT | LIST | DELETE |"
            + " other | all per checkpoint |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String b : FlinkReport.ISLE) {
      Map<String, Object> idle = Report.find(doc, "job.idle", b);
      if (idle != null) {
        requestRow(md, b, "idle, per minute", idle, "requests_per_minute");
      }
      for (String job : FlinkJobSuite.JOBS) {
        Map<String, Object> r = Report.find(doc, "job." + job, b);
        if (r != null) {
          requestRow(md, b, job + " under load, measured", r, "requests_measured");
        }
      }
    }
    md.append('\n');
  }

  private static void requestRow(
      StringBuilder md, String backend, String what, Map<String, Object> r, String key) {
    Object m = Report.path(r, "details", key);
    double all = Report.num(Report.path(m, "all"));
    List<String> cells = new ArrayList<>();
    for (String k : KINDS) {
      cells.add(Report.fmt(Report.num(Report.path(m, k))));
    }
    md.append(
        String.format(
            "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
            backend,
            what,
            Report.path(r, "details", "measured_s"),
            Report.path(r, "details", "checkpoints_measured"),
            Report.fmt(all),
            String.join(" | ", cells),
            Report.fmt(Report.num(Report.path(m, "other"))),
            Report.fmt(Report.num(Report.path(r, "details", "requests_per_checkpoint", "all")))));
  }

  /** Writes the chart of the isle/RocksDB and isle/ForSt ratios; nothing if there is no group. */
  static void chart(Map<String, Object> doc, Path png) throws IOException {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (String job : FlinkJobSuite.JOBS) {
      for (String b : FlinkReport.ISLE) {
        for (String peer : List.of("rocksdb", "forst")) {
          double v = Report.median(doc, "job." + job, b);
          double p = Report.median(doc, "job." + job, peer);
          if (!Double.isNaN(v) && !Double.isNaN(p) && p > 0) {
            ds.addValue(v / p, b + " / " + peer, job);
          }
        }
      }
    }
    if (ds.getRowCount() == 0) {
      return;
    }
    JFreeChart chart =
        Report.ratioChart(
            "IsleDB whole jobs / RocksDB and ForSt, records/s (same run; 1.0 = parity, the goal)",
            "job",
            "ratio (log scale)",
            ds,
            200);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
  }
}
