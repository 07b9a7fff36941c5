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
    FlinkReport.chart(doc, docs.resolve(FlinkReport.CHART));
    ConnectorReport.chart(doc, docs.resolve(ConnectorReport.CHART));
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

  private void line(String s) {
    md.append(s).append('\n');
  }

  /** One table row: {@code | cell | cell | ... |}. */
  private void row(Object... cells) {
    StringBuilder b = new StringBuilder("|");
    for (Object c : cells) {
      b.append(' ').append(c).append(" |");
    }
    line(b.toString());
  }

  // ------------------------------------------------------------------ page

  String render(String notes) {
    Map<String, Object> env = env();
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
            + " quick` for a smoke run, `--engines`, `--workloads` (`--workloads flink-state`: only"
            + " the Flink state backend group, which the standard suite runs last), `--baseline"
            + " FILE`, `--no-jmh`."
            + " Run it on a quiet machine (`uptime`): every figure below is also given as a ratio"
            + " against RocksDB measured in the same run, which is what to compare across runs and"
            + " machines. The text under \"Analysis and notes\" is written by hand and kept when the"
            + " page is regenerated.");
    line("");
    environment(env);
    summary();
    line("![IsleDB / RocksDB throughput ratio per workload](benchmarks.png)");
    line("");
    targets();
    throughput();
    latencies();
    storageLimit();
    requestCost();
    micro();
    md.append(FlinkReport.section(doc));
    md.append(ConnectorReport.section(doc));
    beforeAfter();
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

  private void targets() {
    line("## Targets (issue 5)");
    line("");
    line("| target | measured | met |");
    line("| --- | --- | --- |");
    for (String w : List.of("fillrandom", "fillseq")) {
      for (String e : ISLE) {
        double x = median(doc, w, e) / median(doc, w, "rocksdb");
        target(
            w + " >= RocksDB (" + e + ")",
            ratio(median(doc, w, e), median(doc, w, "rocksdb")),
            x >= 1.0,
            Double.isNaN(x));
      }
    }
    for (String e : ISLE) {
      double x = median(doc, "readrandom-hot", e) / median(doc, "readrandom-hot", "rocksdb");
      target(
          "hot readrandom >= 0.8x RocksDB (" + e + ")",
          ratio(median(doc, "readrandom-hot", e), median(doc, "readrandom-hot", "rocksdb")),
          x >= 0.8,
          Double.isNaN(x));
    }
    Map<String, Object> cold = find(doc, "readrandom-cold", "isle-s3a");
    if (cold != null) {
      Object hist = path(cold, "details", "lookups_by_gets");
      double gets = num(path(cold, "details", "gets_per_lookup"));
      boolean worst = true;
      if (hist instanceof Map<?, ?> h) {
        for (Object k : h.keySet()) {
          if (!k.equals("0") && !k.equals("1") && !k.equals("2")) {
            worst = false;
          }
        }
      }
      target(
          "cold point lookup <= 2 ranged GETs (isle-s3a)",
          fmt(gets) + " GETs per lookup on average; lookups by GET count: " + hist,
          worst,
          Double.isNaN(gets));
    }
    double raw =
        Math.max(
            median(doc, "raw-put-1-stream", "s3proxy"),
            median(doc, "raw-put-2-streams", "s3proxy"));
    for (String w : List.of("fillseq", "fillrandom")) {
      double ingest = num(path(find(doc, w, "isle-s3a"), "details", "storage_MiB_per_s"));
      target(
          "s3a ingest >= 80% of raw PUT (" + w + ")",
          fmt(ingest)
              + " MiB/s of SST bytes vs "
              + fmt(raw)
              + " MiB/s raw PUT = "
              + pct(ingest / raw),
          ingest / raw >= 0.8,
          Double.isNaN(ingest / raw));
    }
    Map<String, Object> fr = find(doc, "fillrandom", "isle-s3a");
    if (fr != null) {
      double puts = httpWrites(path(fr, "details", "requests_per_GiB"));
      target(
          "<= 100 object PUTs per GiB at full ingest (isle-s3a fillrandom)",
          fmt(puts) + " PUT/POST requests per GiB",
          puts <= 100,
          Double.isNaN(puts));
    }
    Object idle = path(doc, "notes", "idle_requests_per_minute_isle-s3a");
    for (String role : List.of("reader", "tailing_reader")) {
      // IsleDB's own reads (an idle poll of a free log slot is one HEAD on S3A).
      double gets = orZero(path(idle, role, "GET")) + orZero(path(idle, role, "GET_RANGE"));
      double http = orZero(path(idle, role, "http.all"));
      target(
          "idle <= 1 GET/s (" + role + ", isle-s3a)",
          fmt(gets / 60) + " reads/s (" + fmt(http / 60) + " HTTP requests/s)",
          gets <= 60,
          idle == null);
    }
    line("");
  }

  static double httpWrites(Object perGib) {
    if (!(perGib instanceof Map<?, ?> m)) {
      return Double.NaN;
    }
    double sum = 0;
    boolean any = false;
    for (String k : List.of("http.PUT", "http.POST_multipart_initiate", "http.POST_bulk_delete")) {
      Object v = m.get(k);
      if (v instanceof Number n) {
        sum += n.doubleValue();
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }

  private void target(String what, String measured, boolean met, boolean unknown) {
    row(what, measured, (unknown ? "not measured" : met ? "yes" : "**no**"));
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", v * 100);
  }

  private void throughput() {
    line("## Throughput, all runs");
    line("");
    line("| workload | engine | median | min | max | unit | details |");
    line("| --- | --- | ---: | ---: | ---: | --- | --- |");
    for (Map<String, Object> r : results(doc)) {
      String w = (String) r.get("workload");
      if (w.startsWith("raw-") || FlinkReport.isFlink(r) || ConnectorReport.isConnector(r)) {
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

  private void storageLimit() {
    line("## The storage's own limit");
    line("");
    line(
        "Whole objects of the size IsleDB writes, no engine in between: S3 through the same S3A"
            + " client and s3proxy server (`ObjectStore.put`, one ranged GET per object); the local disk"
            + " through java.nio (write + fsync; reads come from the page cache).");
    line("");
    line("| measurement | storage | median MiB/s | min | max | object size MiB |");
    line("| --- | --- | ---: | ---: | ---: | ---: |");
    for (Map<String, Object> r : results(doc)) {
      String w = (String) r.get("workload");
      if (w.startsWith("raw-")) {
        row(
            w,
            r.get("engine"),
            fmt(num(r.get("median"))),
            fmt(num(r.get("min"))),
            fmt(num(r.get("max"))),
            path(r, "details", "object_MiB"));
      }
    }
    line("");
    line(
        "Everything runs on the same 2 cores, the S3 server included, so ingest through s3a is"
            + " bounded by CPU: CPU seconds per GiB stored (this JVM; the s3proxy child JVM) and"
            + " the stored MiB/s that 2 fully used cores could sustain at that cost.");
    line("");
    line("| path | client CPU s/GiB | S3 server CPU s/GiB | CPU-bound ceiling on 2 cores MiB/s |");
    line("| --- | ---: | ---: | ---: |");
    cpuRow(
        "raw PUT, 1 stream",
        find(doc, "raw-put-1-stream", "s3proxy"),
        "cpu_s_per_GiB",
        "server_cpu_s_per_GiB");
    for (String w : List.of("fillseq", "fillrandom")) {
      cpuRow(
          "IsleDB " + w + " (s3a)",
          find(doc, w, "isle-s3a"),
          "cpu_s_per_stored_GiB",
          "server_cpu_s_per_stored_GiB");
    }
    line("");
    double rawS3 =
        Math.max(
            median(doc, "raw-put-1-stream", "s3proxy"),
            median(doc, "raw-put-2-streams", "s3proxy"));
    double rawDisk = median(doc, "raw-put-1-stream", "local-disk");
    line("| IsleDB ingest | SST MiB/s | user MiB/s | fraction of raw PUT (SST bytes) |");
    line("| --- | ---: | ---: | ---: |");
    for (String w : List.of("fillseq", "fillrandom")) {
      for (String e : ISLE) {
        Map<String, Object> r = find(doc, w, e);
        if (r == null) {
          continue;
        }
        double sst = num(path(r, "details", "storage_MiB_per_s"));
        double user = num(path(r, "details", "user_MiB_per_s"));
        double raw = e.equals("isle-s3a") ? rawS3 : rawDisk;
        row(w + " " + e, fmt(sst), fmt(user), pct(sst / raw));
      }
    }
    line("");
  }

  private void cpuRow(String label, Map<String, Object> r, String client, String server) {
    if (r == null) {
      return;
    }
    double c = num(path(r, "details", client));
    double sv = num(path(r, "details", server));
    double total = (Double.isNaN(c) ? 0 : c) + (Double.isNaN(sv) ? 0 : sv);
    row(label, fmt(c), fmt(sv), (total > 0 ? fmt(2 * 1024 / total) : "n/a"));
  }

  private void requestCost() {
    line("## Request cost (isle-s3a)");
    line("");
    line(
        "IsleDB's own requests by kind (`UPLOAD` = one streamed table, `CREATE_IF_ABSENT` = one log"
            + " slot, `PUT` = snapshot or CURRENT, `GET_RANGE` = a ranged read) and S3A's HTTP counters"
            + " (`http.*`; `http.all` is every request S3A sent). Published SlateDB figures for"
            + " comparison: about 620 PUT/POST requests per GiB at full ingest and 4 GET/s for an idle"
            + " reader.");
    line("");
    line("| cost | requests |");
    line("| --- | --- |");
    for (String w : List.of("fillseq", "fillrandom")) {
      Object c = path(find(doc, w, "isle-s3a"), "details", "requests_per_GiB");
      if (c != null) {
        line("| per GiB ingested (" + w + ", user bytes) | " + c + " |");
      }
    }
    Object hot =
        path(find(doc, "readrandom-hot", "isle-s3a"), "details", "requests_per_million_reads");
    if (hot != null) {
      line(
          "| per million point reads, hot | "
              + (hot instanceof Map<?, ?> hm && hm.isEmpty() ? "0" : hot)
              + " |");
    }
    Object cold =
        path(find(doc, "readrandom-cold", "isle-s3a"), "details", "gets_per_million_reads");
    if (cold != null) {
      line(
          "| per million point reads, cold (first reads of a new reader, no disk cache) | "
              + cold
              + " GETs |");
    }
    Object comp = path(doc, "notes", "read_db_isle-s3a", "compaction_requests_per_GiB");
    if (comp != null) {
      line("| per GiB compacted (input bytes) | " + comp + " |");
    }
    Object idle = path(doc, "notes", "idle_requests_per_minute_isle-s3a");
    if (idle instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        if (e.getValue() instanceof Map) {
          line("| per idle minute, " + e.getKey() + " | " + e.getValue() + " |");
        }
      }
    }
    line("");
  }

  @SuppressWarnings("unchecked")
  private void micro() {
    Object m = doc.get("micro");
    if (!(m instanceof List<?> list) || list.isEmpty()) {
      return;
    }
    line("## Micro benchmarks (JMH, 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement)");
    line("");
    line("| benchmark | class | score | error (99.9%) | unit |");
    line("| --- | --- | ---: | ---: | --- |");
    for (Object o : list) {
      Map<String, Object> r = (Map<String, Object>) o;
      row(
          r.get("workload"),
          path(r, "details", "class"),
          fmt(num(path(r, "details", "score"))),
          fmt(num(path(r, "details", "error_99.9"))),
          r.get("unit"));
    }
    line("");
  }

  private void beforeAfter() {
    if (baseline == null) {
      return;
    }
    line("## Before and after the optimisations");
    line("");
    line(
        "Baseline: commit "
            + path(baseline, "environment", "isledb_commit")
            + ", "
            + path(baseline, "environment", "date")
            + ". Ratios are against RocksDB measured in the"
            + " same run as each figure, so they compare across the two runs.");
    line("");
    line("| workload | engine | before | after | before / rocksdb | after / rocksdb |");
    line("| --- | --- | ---: | ---: | ---: | ---: |");
    for (String w : COMPARED) {
      for (String e : ISLE) {
        double b = median(baseline, w, e);
        double a = median(doc, w, e);
        if (Double.isNaN(a) && Double.isNaN(b)) {
          continue;
        }
        row(
            w,
            e,
            fmt(b),
            fmt(a),
            ratio(b, median(baseline, w, "rocksdb")),
            ratio(a, median(doc, w, "rocksdb")));
      }
    }
    line("");
    Object before = baseline.get("micro");
    Object after = doc.get("micro");
    if (before instanceof List<?> bl && after instanceof List<?> al) {
      line("| JMH micro benchmark | before | after | unit |");
      line("| --- | ---: | ---: | --- |");
      for (Object o : al) {
        Map<?, ?> a = (Map<?, ?>) o;
        double b = Double.NaN;
        for (Object p : bl) {
          if (((Map<?, ?>) p).get("workload").equals(a.get("workload"))) {
            b = num(path(p, "details", "score"));
          }
        }
        row(a.get("workload"), fmt(b), fmt(num(path(a, "details", "score"))), a.get("unit"));
      }
      line("");
    }
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
