package io.isledb.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Writes {@code BENCHMARKS.md} and {@code benchmarks.png} from a results document. The text between
 * the {@code notes} markers of an existing {@code BENCHMARKS.md} (the hand-written analysis) is
 * kept.
 */
public final class Report {
  static final String COMMAND = "mvn -B -Pbench -pl benchmarks -am -DskipTests package";
  static final String NOTES_START = "<!-- notes:start -->";
  static final String NOTES_END = "<!-- notes:end -->";

  /** Workloads compared with RocksDB, in table order. */
  static final List<String> COMPARED =
      List.of(
          "fillseq",
          "fillrandom",
          "overwrite",
          "readrandom-hot",
          "readrandom-cold",
          "readmissing",
          "seekrandom+next10",
          "readwhilewriting");

  static final List<String> ISLE = List.of("isle-file", "isle-s3a");

  private final Map<String, Object> doc;
  private final Map<String, Object> baseline;
  private final StringBuilder md = new StringBuilder();

  private Report(Map<String, Object> doc, Map<String, Object> baseline) {
    this.doc = doc;
    this.baseline = baseline;
  }

  /** Writes the page and the chart into {@code docs}. */
  public static void write(Map<String, Object> doc, Map<String, Object> baseline, Path docs)
      throws IOException {
    Path page = docs.resolve("BENCHMARKS.md");
    String notes = "";
    if (Files.exists(page)) {
      String old = Files.readString(page);
      int s = old.indexOf(NOTES_START);
      int e = old.indexOf(NOTES_END);
      if (s >= 0 && e > s) {
        notes = old.substring(s + NOTES_START.length(), e).strip();
      }
    }
    Report r = new Report(doc, baseline);
    r.chart(docs.resolve("benchmarks.png"));
    FlinkSections.charts(doc, docs);
    Files.writeString(page, r.render(notes), StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ lookups

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> results(Map<String, Object> d) {
    Object r = d == null ? null : d.get("results");
    return r == null ? List.of() : (List<Map<String, Object>>) r;
  }

  static Map<String, Object> find(Map<String, Object> d, String workload, String engine) {
    for (Map<String, Object> r : results(d)) {
      if (workload.equals(r.get("workload")) && engine.equals(r.get("engine"))) {
        return r;
      }
    }
    return null;
  }

  static double median(Map<String, Object> d, String workload, String engine) {
    Map<String, Object> r = find(d, workload, engine);
    return r == null ? Double.NaN : num(r.get("median"));
  }

  static double orZero(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  @SuppressWarnings("unchecked")
  static Object path(Object root, String... keys) {
    Object o = root;
    for (String k : keys) {
      if (!(o instanceof Map)) {
        return null;
      }
      o = ((Map<String, Object>) o).get(k);
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> env() {
    return (Map<String, Object>) doc.get("environment");
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0
        ? "n/a"
        : String.format(Locale.ROOT, "%.2fx", a / b);
  }

  void line(String s) {
    md.append(s).append('\n');
  }

  /** One table row: {@code | cell | cell | ... |}. */
  void row(Object... cells) {
    StringBuilder b = new StringBuilder("|");
    for (Object c : cells) {
      b.append(' ').append(c).append(" |");
    }
    line(b.toString());
  }

  // ------------------------------------------------------------------ page

  String render(String notes) {
    Map<String, Object> env = env();
    EngineSections engine = new EngineSections(this, doc, baseline);
    line("# IsleDB benchmarks");
    line("");
    line("Regenerate this page, its JSON and its chart with one command from the repository root:");
    line("");
    line("```");
    line(COMMAND);
    line("```");
    line("");
    line(
        "It builds isle-core, runs the standard suite (about "
            + Math.round(num(env.get("suite_minutes")))
            + " minutes here, plus a minute of build) and rewrites `docs/BENCHMARKS.md`,"
            + " `docs/benchmarks.json` and `docs/benchmarks.png`; the before/after table compares"
            + " with `docs/benchmarks-baseline.json` (the run before the optimisations of issue 5)."
            + " Options go in `-Dbench.args=\"...\"` (see `io.isledb.bench.DbBench`): `--suite"
            + " quick` for a smoke run, `--engines` (it also selects the Flink groups' state"
            + " backends: `rocksdb` there is Flink's, `forst` and `hashmap` are Flink-only),"
            + " `--workloads` (`--workloads flink-state`, `flink-restore` or `flink-job`: only that"
            + " Flink group; the standard suite runs them last), `--flink-restore-mib N` for"
            + " another flink-restore state size, `--baseline FILE`, `--no-jmh`, `--merge"
            + " BASE.json,GROUP.json,...` (no run: this page from a run and Flink groups that ran"
            + " on their own, each group's run stated in the table below)."
            + " Run it on a quiet machine (`uptime`): every figure below is also given as a ratio"
            + " against RocksDB measured in the same run, which is what to compare across runs and"
            + " machines. The text under \"Analysis and notes\" is written by hand and kept when the"
            + " page is regenerated.");
    line("");
    environment(env);
    summary();
    line("![IsleDB / RocksDB throughput ratio per workload](benchmarks.png)");
    line("");
    engine.targets();
    throughput();
    latencies();
    engine.storageLimit();
    engine.requestCost();
    md.append(ManifestCommitsReport.section(doc));
    engine.micro();
    md.append(FlinkSections.section(doc));
    engine.beforeAfter();
    line("## Analysis and notes");
    line("");
    line(NOTES_START);
    line(notes.isEmpty() ? "(none yet)" : notes);
    line(NOTES_END);
    return md.toString();
  }

  private void environment(Map<String, Object> env) {
    line("## Machine, versions, options");
    line("");
    line("| | |");
    line("| --- | --- |");
    line("| date | " + env.get("date") + " |");
    line(
        "| machine | "
            + env.get("cpu")
            + ", "
            + env.get("cores")
            + " cores, "
            + env.get("memory_GiB")
            + " GiB, "
            + env.get("os")
            + " |");
    line(
        "| load average (1/5/15 min) | start: "
            + env.get("load_average_start")
            + "; end: "
            + env.get("load_average_end")
            + " |");
    line("| Java | " + env.get("java") + ", " + env.get("jvm_args") + " |");
    line("| IsleDB | commit " + env.get("isledb_commit") + " |");
    line("| RocksDB | rocksdbjni " + env.get("rocksdb") + " |");
    line("| Hadoop (S3A) | " + env.get("hadoop") + " |");
    line("| S3 server | s3proxy " + env.get("s3proxy") + " |");
    line("| suite | " + env.get("suite") + ", seed " + env.get("seed") + " |");
    GroupRuns.environmentRows(doc).forEach(this::line);
    line("");
    line(
        "Keys are 20 bytes and values 400 bytes (compressible to about half, like db_bench's"
            + " default), one writer thread. **IsleDB**: default `WriterOptions` (64 MiB memtable,"
            + " up to 2 immutable memtables, 1 s flush interval, LZ4, 16 KiB blocks, 10 bloom"
            + " bits/key), default `CompactorOptions` with the merge compactor running during the"
            + " fills (zstd output), readers with a "
            + env.get("block_cache_MiB")
            + " MiB block cache (the readrandom-cold reader: no disk cache, and `preopenBytes`"
            + " 1 GiB, so it loads every table's index and bloom filter when it opens, as RocksDB's"
            + " `DB::Open` does). **RocksDB**: WAL disabled, 64 MiB write buffer, 3 write buffers,"
            + " LZ4 (zstd bottommost), 16 KiB blocks, 10 bits/key whole-key bloom, the same block"
            + " cache size, 2 background jobs, automatic compactions on, on local disk (the same"
            + " disk as IsleDB's file:// database). Every figure is the median of the measured runs"
            + " (after one unmeasured warm-up run), with min and max. Fills end with a flush that"
            + " returns when the data is durable and visible (RocksDB: a waited memtable flush)."
            + " Read workloads run on a database of all keys written in order and fully compacted.");
    line("");
  }

  private void summary() {
    line("## Summary: IsleDB / RocksDB, same run");
    line("");
    line("| workload | unit | rocksdb | isle-file | isle-s3a | file / rocksdb | s3a / rocksdb |");
    line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (String w : COMPARED) {
      Map<String, Object> r = find(doc, w, "rocksdb");
      Map<String, Object> f = find(doc, w, "isle-file");
      Map<String, Object> s = find(doc, w, "isle-s3a");
      if (r == null && f == null && s == null) {
        continue;
      }
      Object unit = (r != null ? r : f != null ? f : s).get("unit");
      double rv = median(doc, w, "rocksdb");
      double fv = median(doc, w, "isle-file");
      double sv = median(doc, w, "isle-s3a");
      row(w, unit, fmt(rv), fmt(fv), fmt(sv), ratio(fv, rv), ratio(sv, rv));
    }
    line("");
  }

  private void throughput() {
    line("## Throughput, all runs");
    line("");
    line("| workload | engine | median | min | max | unit | details |");
    line("| --- | --- | ---: | ---: | ---: | --- | --- |");
    for (Map<String, Object> r : results(doc)) {
      String w = (String) r.get("workload");
      if (w.startsWith("raw-") || FlinkSections.isFlink(r)) {
        continue; // raw storage and Flink have tables of their own
      }
      Object details = r.get("details");
      String d = "";
      if (details instanceof Map<?, ?> m) {
        List<String> parts = new ArrayList<>();
        for (String k :
            List.of(
                "user_MiB_per_s",
                "storage_MiB_per_s",
                "mean_object_MiB",
                "cpu_s_per_GiB",
                "server_cpu_s_per_GiB",
                "writes_per_s",
                "gets_per_lookup",
                "poll_interval_ms",
                "puts_per_commit")) {
          if (m.get(k) != null) {
            parts.add(k + " " + m.get(k));
          }
        }
        d = String.join(", ", parts);
      }
      row(
          w,
          r.get("engine"),
          fmt(num(r.get("median"))),
          fmt(num(r.get("min"))),
          fmt(num(r.get("max"))),
          r.get("unit"),
          d);
    }
    line("");
  }

  private void latencies() {
    line("## Latency percentiles (microseconds)");
    line("");
    line("| operation | engine | samples | p50 | p99 | p99.9 | max |");
    line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    String[][] rows = {
      {"readrandom-hot", "latency", "get, hot"},
      {"readrandom-cold", "latency", "get, cold (empty caches)"},
      {"readmissing", "latency", "get, missing key"},
      {"readwhilewriting", "latency", "get while writing"},
      {"seekrandom+next10", "latency", "seek + 10 next"},
      {"flush-to-visible", "flush_latency", "flush (durable, committed)"},
      {"flush-to-visible", "flush_to_visible_latency", "flush-to-visible (flush + refresh + get)"},
      {"tail-latency", "commit_to_emit", "tail commit-to-emit"},
      {"tail-latency", "flush_start_to_emit", "tail flush-start-to-emit"},
    };
    for (String[] row : rows) {
      for (String e : List.of("rocksdb", "isle-file", "isle-s3a")) {
        Object l = path(find(doc, row[0], e), "details", row[1]);
        if (l instanceof Map<?, ?> m && !m.isEmpty()) {
          row(
              row[2],
              e,
              m.get("samples"),
              fmt(num(m.get("p50_us"))),
              fmt(num(m.get("p99_us"))),
              fmt(num(m.get("p999_us"))),
              fmt(num(m.get("max_us"))));
        }
      }
    }
    line("");
  }

  // ------------------------------------------------------------------ chart

  void chart(Path png) throws IOException {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (String w : COMPARED) {
      double r = median(doc, w, "rocksdb");
      for (String e : ISLE) {
        double v = median(doc, w, e);
        if (!Double.isNaN(v) && !Double.isNaN(r) && r > 0) {
          ds.addValue(v / r, e, w);
        }
      }
    }
    // Ratios span 0.01x (cold reads from S3) to 10x (missing keys): a log axis keeps 1.0 readable.
    JFreeChart chart =
        ratioChart(
            "IsleDB throughput / RocksDB throughput (same run; 1.0 = parity)",
            "workload",
            "IsleDB / RocksDB (log scale)",
            ds,
            20);
    BarRenderer br = (BarRenderer) chart.getCategoryPlot().getRenderer();
    br.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.00")));
    br.setDefaultItemLabelsVisible(true);
    br.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    br.setSeriesPaint(0, new Color(0x3b, 0x75, 0xaf));
    br.setSeriesPaint(1, new Color(0xef, 0x85, 0x36));
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
  }

  /** A bar chart of ratios on a log axis from 0.005 to {@code max}, with a line at parity. */
  static JFreeChart ratioChart(
      String title, String domain, String axisLabel, DefaultCategoryDataset ds, double max) {
    System.setProperty("java.awt.headless", "true");
    JFreeChart chart =
        ChartFactory.createBarChart(
            title, domain, "ratio", ds, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    LogAxis axis = new LogAxis(axisLabel);
    axis.setBase(10);
    axis.setRange(0.005, max);
    axis.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
    axis.setNumberFormatOverride(new DecimalFormat("0.###"));
    plot.setRangeAxis(axis);
    plot.addRangeMarker(new ValueMarker(1.0, Color.RED, new BasicStroke(2f)));
    BarRenderer br = (BarRenderer) plot.getRenderer();
    br.setBarPainter(new StandardBarPainter());
    br.setShadowVisible(false);
    br.setBase(0.005);
    plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    return chart;
  }
}
