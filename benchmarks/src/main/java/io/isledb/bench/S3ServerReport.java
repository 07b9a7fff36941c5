package io.isledb.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of the "Flink" section that states the S3 server's CPU separately from the engine's
 * ({@link S3ServerCpu}): one row per isle-s3a result of every Flink group, with the server's CPU
 * seconds per measured run and the cores it used on average, the medians over the runs.
 */
final class S3ServerReport {
  private S3ServerReport() {}

  /** The markdown; empty if no Flink group ran on isle-s3a. */
  static String section(Map<String, Object> doc) {
    List<String> rows = new ArrayList<>();
    Set<String> without = new LinkedHashSet<>();
    for (Map<String, Object> r : Report.results(doc)) {
      if (!FlinkSections.isFlink(r) || !"isle-s3a".equals(r.get("engine"))) {
        continue;
      }
      String group = String.valueOf(Report.path(r, "details", "group"));
      double cores = median(Report.path(r, "details", S3ServerCpu.CORES));
      if (Double.isNaN(cores)) {
        without.add(group);
        continue;
      }
      rows.add(
          String.join(
                  " | ",
                  "| " + group,
                  String.valueOf(r.get("workload")),
                  Report.fmt(Report.num(r.get("median"))) + " " + r.get("unit"),
                  Report.fmt(median(Report.path(r, "details", S3ServerCpu.DETAIL))),
                  String.format(java.util.Locale.ROOT, "%.3f", cores),
                  Report.fmt(Report.num(Report.path(r, "details", S3ServerCpu.PER_OP))))
              + " |");
    }
    if (rows.isEmpty() && without.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("### The S3 server's CPU (isle-s3a)\n\n");
    md.append(
        "The S3 server (s3proxy with its filesystem backend, a child JVM of the harness) shares"
            + " the machine's cores with the engine and Flink, so every isle-s3a figure above"
            + " includes its load. Its CPU time is read from `/proc` by process id at the start"
            + " and end of each measured span (a timed run, checkpoint or restore; for JMH each"
            + " measured iteration, from inside the fork), and stated here on its own: CPU seconds"
            + " per measured span and the cores it used on average over the span (CPU seconds /"
            + " wall seconds; the machine has "
            + Report.path(doc, "environment", "cores")
            + "), medians over the runs. For the JMH operations also microseconds of server CPU"
            + " per operation. The engine tables' `server_cpu_s_per_GiB` is the same measure for"
            + " the engine workloads.\n\n");
    if (!rows.isEmpty()) {
      md.append(
          "| group | workload | isle-s3a median | server CPU s per span | server cores |"
              + " server CPU us/op |\n");
      md.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
      rows.forEach(r -> md.append(r).append('\n'));
      md.append('\n');
    }
    if (!without.isEmpty()) {
      md.append("Not recorded in the runs of ")
          .append(String.join(", ", without))
          .append(" on this page (measured before the harness read the server's CPU).\n\n");
    }
    return md.toString();
  }

  /** The median of a list of numbers (or a number itself); NaN if none. */
  static double median(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (!(o instanceof List<?> l) || l.isEmpty()) {
      return Double.NaN;
    }
    List<Double> v = new ArrayList<>();
    for (Object x : l) {
      v.add(Report.num(x));
    }
    v.sort(null);
    int m = v.size() / 2;
    return v.size() % 2 == 1 ? v.get(m) : (v.get(m - 1) + v.get(m)) / 2;
  }
}
