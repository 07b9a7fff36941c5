package io.isledb.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The "Flink connector" part of {@code BENCHMARKS.md} and its chart {@code
 * benchmarks-flink-connector.png}: the flink-connector group's figures per table format, the isle
 * tables' ratios against the Paimon table measured in the same run, and the goals of issue 15
 * marked met or not met.
 */
final class ConnectorReport {
  static final String CHART = "benchmarks-flink-connector.png";
  static final String PAIMON = "paimon-file";
  static final List<String> ISLE = List.of("isle-file", "isle-s3a");
  private static final String P = "connector.";

  /** Throughput workloads with their goal (isle / Paimon at least this), in table order. */
  private static final List<Object[]> GOALS =
      List.of(
          new Object[] {"insert", 2.0},
          new Object[] {"scan-full", 1.5},
          new Object[] {"scan-range", 1.5},
          new Object[] {"lookup-nocache", 1.0},
          new Object[] {"lookup-cache", 1.0},
          new Object[] {"stream-throughput", Double.NaN});

  private ConnectorReport() {}

  /** Whether a result belongs to this section (not the engine tables). */
  static boolean isConnector(Map<String, Object> result) {
    return "flink-connector".equals(Report.path(result, "details", "group"));
  }

  /** The markdown of the section; empty if the run had no flink-connector group. */
  static String section(Map<String, Object> doc) {
    if (Report.find(doc, P + "insert", PAIMON) == null) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append("### Connector: isle table vs Paimon (flink-connector group)\n\n");
    md.append(
        "Flink SQL on one local MiniCluster (in a child JVM, jobs submitted over REST), every job at"
            + " the same parallelism; the Paimon peer is a primary-key table with `'bucket'` ="
            + " that parallelism, the isle table has no buckets; both have the same schema (`id"
            + " BIGINT` primary key, five value columns, about 100 raw bytes a row) and otherwise"
            + " their defaults. Rows are generated in SQL from a sequence, ids in a random order"
            + " (a multiplicative permutation). Figures are rows per second of wall-clock time"
            + " from submitting the statement to its result, medians of the measured runs after"
            + " the warm-up runs; bytes are the Flink JVM's read/written bytes of all system calls"
            + " during a run (`/proc/self/io` rchar/wchar: files, spills and S3 requests). The"
            + " scans aggregate over every column (so all are decoded) and check the row count;"
            + " the lookup join checks that every probe matched. Streaming: an unbounded read of"
            + " the changes after its start, both sources polling at the same interval, while"
            + " batch INSERTs commit small batches at random phases of the poll; latency = the"
            + " time a row reached the sink minus its commit time (isle: the `commit_time`"
            + " metadata; Paimon: its APPEND snapshot's time), throughput = one bulk commit's"
            + " rows over its commit-to-last-row time. A round trip is the median time of a 1 KiB"
            + " GET on the format's store.\n\n");
    md.append("| | |\n| --- | --- |\n");
    md.append("| versions | ")
        .append(Report.path(doc, "flink_connector", "versions"))
        .append(" |\n");
    md.append("| settings | ")
        .append(Report.path(doc, "flink_connector", "settings"))
        .append(" |\n");
    md.append("| tables | ").append(Report.path(doc, "flink_connector", "tables")).append(" |\n");
    md.append("| JVM options | ")
        .append(Report.path(doc, "flink_connector", "jvm_options"))
        .append(" |\n\n");
    md.append(
        "| workload | unit | isle-file | paimon-file | isle-s3a | file / paimon | s3a / paimon |"
            + " goal | goal met (file, s3a) |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
    int met = 0;
    int measured = 0;
    for (Object[] g : GOALS) {
      String w = P + g[0];
      double goal = (Double) g[1];
      double p = Report.median(doc, w, PAIMON);
      List<String> cells = new ArrayList<>(List.of((String) g[0], unit(doc, w)));
      for (String f : List.of("isle-file", PAIMON, "isle-s3a")) {
        cells.add(Report.fmt(Report.median(doc, w, f)));
      }
      List<String> verdicts = new ArrayList<>();
      for (String f : ISLE) {
        double v = Report.median(doc, w, f);
        cells.add(Report.ratio(v, p));
        if (!Double.isNaN(goal)) {
          String verdict =
              Double.isNaN(v) || Double.isNaN(p)
                  ? "not measured"
                  : v >= goal * p ? "yes" : "**no**";
          measured += verdict.equals("not measured") ? 0 : 1;
          met += verdict.equals("yes") ? 1 : 0;
          verdicts.add(verdict);
        }
      }
      cells.add(
          Double.isNaN(goal) ? "(none)" : String.format(Locale.ROOT, ">= %.1fx Paimon", goal));
      cells.add(String.join(", ", verdicts));
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
      for (String b : List.of("bytes_written", "bytes_read")) {
        if (!g[0].toString().startsWith("stream")
            && (b.equals("bytes_read") || g[0].equals("insert"))) {
          md.append("| ").append(g[0]).append(' ').append(b.replace('_', ' ')).append(" | MiB |");
          for (String f : List.of("isle-file", PAIMON, "isle-s3a")) {
            md.append(' ')
                .append(mib(Report.path(Report.find(doc, w, f), "details", b)))
                .append(" |");
          }
          md.append(" | | | |\n");
        }
      }
    }
    for (String pct : List.of("p50", "p99")) {
      String w = P + "stream-latency-" + pct;
      List<String> cells = new ArrayList<>(List.of("stream latency " + pct, "ms"));
      for (String f : List.of("isle-file", PAIMON, "isle-s3a")) {
        cells.add(Report.fmt(Report.median(doc, w, f)));
      }
      List<String> verdicts = new ArrayList<>();
      List<String> goals = new ArrayList<>();
      for (String f : ISLE) {
        double v = Report.median(doc, w, f);
        double p = Report.median(doc, w, PAIMON);
        cells.add(Report.ratio(v, p) + " (lower is better)");
        double goal = Report.num(Report.path(Report.find(doc, w, f), "details", "goal_ms"));
        if (Double.isNaN(v)) {
          verdicts.add("not measured");
        } else {
          goals.add(f + " " + Report.fmt(goal));
          measured++;
          boolean ok = v <= goal;
          met += ok ? 1 : 0;
          verdicts.add(ok ? "yes" : "**no**");
        }
      }
      cells.add("<= poll + 2 round trips (" + String.join(", ", goals) + " ms)");
      cells.add(String.join(", ", verdicts));
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%nGoals met: %d of %d.%n%n", met, measured));
    Map<String, Object> gen = Report.find(doc, P + "insert", "generator-only");
    if (gen != null) {
      md.append("The row generator alone (the same SQL into Flink's blackhole sink) runs at ")
          .append(Report.fmt(Report.num(gen.get("median"))))
          .append(" rows/s: every INSERT figure includes its cost.\n\n");
    }
    md.append("![isle table / Paimon table, per workload](").append(CHART).append(")\n\n");
    md.append("| workload | format | median | min | max | runs | details |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for (Map<String, Object> r : Report.results(doc)) {
      if (isConnector(r)) {
        md.append(
            String.format(
                "| %s | %s | %s | %s | %s | %d | %s |%n",
                r.get("workload"),
                r.get("engine"),
                Report.fmt(Report.num(r.get("median"))),
                Report.fmt(Report.num(r.get("min"))),
                Report.fmt(Report.num(r.get("max"))),
                ((List<?>) r.get("runs")).size(),
                r.get("details")));
      }
    }
    md.append('\n');
    return md.toString();
  }

  private static String unit(Map<String, Object> doc, String w) {
    Map<String, Object> r = Report.find(doc, w, PAIMON);
    return r == null ? "" : String.valueOf(r.get("unit"));
  }

  private static String mib(Object bytes) {
    return bytes == null ? "n/a" : Report.fmt(Report.num(bytes) / (1024 * 1024));
  }

  /** Writes the chart of the isle / Paimon ratios; nothing if there is no group. */
  static void chart(Map<String, Object> doc, Path png) throws IOException {
    if (Report.find(doc, P + "insert", PAIMON) == null) {
      return;
    }
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (Object[] g : GOALS) {
      for (String f : ISLE) {
        double v = Report.median(doc, P + g[0], f);
        double p = Report.median(doc, P + g[0], PAIMON);
        if (!Double.isNaN(v) && !Double.isNaN(p) && p > 0) {
          ds.addValue(v / p, f + " / paimon", (String) g[0]);
        }
      }
    }
    JFreeChart chart =
        Report.ratioChart(
            "IsleDB table / Paimon table, Flink SQL (same run; above 1.0 = isle faster)",
            "workload",
            "ratio (log scale)",
            ds,
            200);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
  }
}
