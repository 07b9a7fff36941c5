package io.isledb.bench;

import io.isledb.bench.flink.FlinkStateSuite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The "Flink" section of {@code BENCHMARKS.md} and its chart {@code benchmarks-flink.png}: the
 * flink-state group's operations per second per backend, the ratios of the isle backends against
 * RocksDB and ForSt measured in the same run, and the goal of issue 15 (at least RocksDB's and at
 * least ForSt's throughput on every operation) marked met or not met.
 */
final class FlinkReport {
  static final String CHART = "benchmarks-flink.png";
  static final List<String> ISLE = List.of("isle-file", "isle-s3a");
  static final List<String> PEERS = List.of("rocksdb", "forst", "hashmap");

  private FlinkReport() {}

  /** Whether a result belongs to the Flink section (not the engine tables). */
  static boolean isFlink(Map<String, Object> result) {
    return "flink-state".equals(Report.path(result, "details", "group"));
  }

  /** The rows (op/keySpace) the document holds, in table order. */
  static List<String> rows(Map<String, Object> doc) {
    List<String> out = new ArrayList<>();
    for (String ks : FlinkStateSuite.KEY_SPACES) {
      for (String op : FlinkStateSuite.OPS) {
        String w = op + "/" + ks;
        for (String b : ISLE) {
          if (Report.find(doc, w, b) != null && !out.contains(w)) {
            out.add(w);
          }
        }
      }
    }
    return out;
  }

  /** The markdown of the section; empty if the run had no flink-state group. */
  static String section(Map<String, Object> doc) {
    List<String> rows = rows(doc);
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    Object settings = Report.path(doc, "flink", "settings");
    md.append("## Flink\n\n### State backend operations (JMH, flink-state group)\n\n");
    md.append(
        "Modelled on apache/flink-benchmarks' state benchmarks: each backend is loaded by name as"
            + " a task manager does and created for one subtask of all 128 key groups, in a task"
            + " environment whose slot has a small managed memory; RocksDB, ForSt and IsleDB size"
            + " their write buffers and block cache from it, with the same write buffer size, and"
            + " each keeps its default timer service. Every operation touches one key (`Long`"
            + " keys, `Long`/`Double` values, maps of 10 entries, lists of 10 elements), keys in"
            + " a seeded random order. Key spaces: *small* fits in the caches; *large* holds about"
            + " 10x the slot's memory in raw key and value bytes. `timer.fire` polls the earliest"
            + " timer and registers that key's next one (a steady state), so it includes one"
            + " registration. The group runs in a child JVM (Flink's RocksDB backend brings"
            + " frocksdbjni, whose `org.rocksdb` classes clash with the rocksdbjni of the engine"
            + " tables above), with the same JVM options for every backend and fork. Figures are"
            + " medians of the measured iterations of all forks, in operations per second.\n\n");
    md.append("| | |\n| --- | --- |\n");
    md.append("| versions | ").append(Report.path(doc, "flink", "versions")).append(" |\n");
    md.append("| settings | ").append(settings).append(" |\n");
    md.append("| JVM options | ").append(Report.path(doc, "flink", "jvm_options")).append(" |\n\n");
    md.append(
        "Goal (issue 15): at least 1.0x RocksDB and at least ForSt on every operation. The"
            + " s3a:// backend shares the machine's cores with the S3 server (a child JVM).\n\n");
    md.append(
        "| operation | key space | isle-file | isle-s3a | rocksdb | forst | hashmap | file /"
            + " rocksdb | file / forst | s3a / rocksdb | s3a / forst | goal met (file, s3a) |\n");
    md.append(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    int[] met = new int[ISLE.size()];
    int[] measured = new int[ISLE.size()];
    for (String w : rows) {
      String[] opKs = w.split("/");
      double r = Report.median(doc, w, "rocksdb");
      double f = Report.median(doc, w, "forst");
      List<String> cells = new ArrayList<>(List.of(opKs[0], opKs[1]));
      for (String b : List.of("isle-file", "isle-s3a", "rocksdb", "forst", "hashmap")) {
        cells.add(Report.fmt(Report.median(doc, w, b)));
      }
      List<String> goal = new ArrayList<>();
      for (int i = 0; i < ISLE.size(); i++) {
        double v = Report.median(doc, w, ISLE.get(i));
        cells.add(Report.ratio(v, r));
        cells.add(Report.ratio(v, f));
        if (Double.isNaN(v) || Double.isNaN(r) || Double.isNaN(f)) {
          goal.add("not measured");
        } else {
          measured[i]++;
          boolean ok = v >= r && v >= f;
          met[i] += ok ? 1 : 0;
          goal.add(ok ? "yes" : "**no**");
        }
      }
      cells.add(String.join(", ", goal));
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    md.append('\n');
    for (int i = 0; i < ISLE.size(); i++) {
      if (measured[i] > 0) {
        md.append("- ")
            .append(ISLE.get(i))
            .append(": goal met on ")
            .append(met[i])
            .append(" of ")
            .append(measured[i])
            .append(" operations.\n");
      }
    }
    md.append("\n![IsleDB state backend / RocksDB and ForSt, per operation](")
        .append(CHART)
        .append(")\n\n");
    md.append("| operation | backend | median | min | max | iterations |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (Map<String, Object> res : Report.results(doc)) {
      if (isFlink(res)) {
        md.append(
            String.format(
                "| %s | %s | %s | %s | %s | %d |%n",
                res.get("workload"),
                res.get("engine"),
                Report.fmt(Report.num(res.get("median"))),
                Report.fmt(Report.num(res.get("min"))),
                Report.fmt(Report.num(res.get("max"))),
                ((List<?>) res.get("runs")).size()));
      }
    }
    md.append('\n');
    return md.toString();
  }

  /** Writes the chart of the isle/RocksDB and isle/ForSt ratios; nothing if there is no group. */
  static void chart(Map<String, Object> doc, Path png) throws IOException {
    List<String> rows = rows(doc);
    if (rows.isEmpty()) {
      return;
    }
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (String w : rows) {
      for (String b : ISLE) {
        for (String peer : List.of("rocksdb", "forst")) {
          double v = Report.median(doc, w, b);
          double p = Report.median(doc, w, peer);
          if (!Double.isNaN(v) && !Double.isNaN(p) && p > 0) {
            ds.addValue(v / p, b + " / " + peer, w);
          }
        }
      }
    }
    JFreeChart chart =
        Report.ratioChart(
            "IsleDB state backend / RocksDB and ForSt (same run; 1.0 = parity, the goal)",
            "operation / key space",
            "ratio (log scale)",
            ds,
            200);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 640);
  }
}
