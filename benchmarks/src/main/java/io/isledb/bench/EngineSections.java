package io.isledb.bench;

import static io.isledb.bench.Report.COMPARED;
import static io.isledb.bench.Report.ISLE;
import static io.isledb.bench.Report.find;
import static io.isledb.bench.Report.fmt;
import static io.isledb.bench.Report.median;
import static io.isledb.bench.Report.num;
import static io.isledb.bench.Report.orZero;
import static io.isledb.bench.Report.path;
import static io.isledb.bench.Report.ratio;
import static io.isledb.bench.Report.results;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The engine tables of {@code BENCHMARKS.md} that {@link Report} places between its own: the
 * targets of issue 5, the storage's own limit, the request cost, the JMH micro benchmarks and the
 * before/after comparison with the baseline run.
 */
final class EngineSections {
  private final Report out;
  private final Map<String, Object> doc;
  private final Map<String, Object> baseline;

  EngineSections(Report out, Map<String, Object> doc, Map<String, Object> baseline) {
    this.out = out;
    this.doc = doc;
    this.baseline = baseline;
  }

  void targets() {
    out.line("## Targets (issue 5)");
    out.line("");
    out.line("| target | measured | met |");
    out.line("| --- | --- | --- |");
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
    out.line("");
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

  void target(String what, String measured, boolean met, boolean unknown) {
    out.row(what, measured, (unknown ? "not measured" : met ? "yes" : "**no**"));
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", v * 100);
  }

  void storageLimit() {
    out.line("## The storage's own limit");
    out.line("");
    out.line(
        "Whole objects of the size IsleDB writes, no engine in between: S3 through the same S3A"
            + " client and s3proxy server (`ObjectStore.put`, one ranged GET per object); the local disk"
            + " through java.nio (write + fsync; reads come from the page cache).");
    out.line("");
    out.line("| measurement | storage | median MiB/s | min | max | object size MiB |");
    out.line("| --- | --- | ---: | ---: | ---: | ---: |");
    for (Map<String, Object> r : results(doc)) {
      String w = (String) r.get("workload");
      if (w.startsWith("raw-")) {
        out.row(
            w,
            r.get("engine"),
            fmt(num(r.get("median"))),
            fmt(num(r.get("min"))),
            fmt(num(r.get("max"))),
            path(r, "details", "object_MiB"));
      }
    }
    out.line("");
    out.line(
        "Everything runs on the same 2 cores, the S3 server included, so ingest through s3a is"
            + " bounded by CPU: CPU seconds per GiB stored (this JVM; the s3proxy child JVM) and"
            + " the stored MiB/s that 2 fully used cores could sustain at that cost.");
    out.line("");
    out.line(
        "| path | client CPU s/GiB | S3 server CPU s/GiB | CPU-bound ceiling on 2 cores MiB/s |");
    out.line("| --- | ---: | ---: | ---: |");
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
    out.line("");
    double rawS3 =
        Math.max(
            median(doc, "raw-put-1-stream", "s3proxy"),
            median(doc, "raw-put-2-streams", "s3proxy"));
    double rawDisk = median(doc, "raw-put-1-stream", "local-disk");
    out.line("| IsleDB ingest | SST MiB/s | user MiB/s | fraction of raw PUT (SST bytes) |");
    out.line("| --- | ---: | ---: | ---: |");
    for (String w : List.of("fillseq", "fillrandom")) {
      for (String e : ISLE) {
        Map<String, Object> r = find(doc, w, e);
        if (r == null) {
          continue;
        }
        double sst = num(path(r, "details", "storage_MiB_per_s"));
        double user = num(path(r, "details", "user_MiB_per_s"));
        double raw = e.equals("isle-s3a") ? rawS3 : rawDisk;
        out.row(w + " " + e, fmt(sst), fmt(user), pct(sst / raw));
      }
    }
    out.line("");
  }

  void cpuRow(String label, Map<String, Object> r, String client, String server) {
    if (r == null) {
      return;
    }
    double c = num(path(r, "details", client));
    double sv = num(path(r, "details", server));
    double total = (Double.isNaN(c) ? 0 : c) + (Double.isNaN(sv) ? 0 : sv);
    out.row(label, fmt(c), fmt(sv), (total > 0 ? fmt(2 * 1024 / total) : "n/a"));
  }

  void requestCost() {
    out.line("## Request cost (isle-s3a)");
    out.line("");
    out.line(
        "IsleDB's own requests by kind (`UPLOAD` = one streamed table, `CREATE_IF_ABSENT` = one log"
            + " slot, `PUT` = snapshot or CURRENT, `GET_RANGE` = a ranged read) and S3A's HTTP counters"
            + " (`http.*`; `http.all` is every request S3A sent). Published SlateDB figures for"
            + " comparison: about 620 PUT/POST requests per GiB at full ingest and 4 GET/s for an idle"
            + " reader.");
    out.line("");
    out.line("| cost | requests |");
    out.line("| --- | --- |");
    for (String w : List.of("fillseq", "fillrandom")) {
      Object c = path(find(doc, w, "isle-s3a"), "details", "requests_per_GiB");
      if (c != null) {
        out.line("| per GiB ingested (" + w + ", user bytes) | " + c + " |");
      }
    }
    Object hot =
        path(find(doc, "readrandom-hot", "isle-s3a"), "details", "requests_per_million_reads");
    if (hot != null) {
      out.line(
          "| per million point reads, hot | "
              + (hot instanceof Map<?, ?> hm && hm.isEmpty() ? "0" : hot)
              + " |");
    }
    Object cold =
        path(find(doc, "readrandom-cold", "isle-s3a"), "details", "gets_per_million_reads");
    if (cold != null) {
      out.line(
          "| per million point reads, cold (first reads of a new reader, no disk cache) | "
              + cold
              + " GETs |");
    }
    Object comp = path(doc, "notes", "read_db_isle-s3a", "compaction_requests_per_GiB");
    if (comp != null) {
      out.line("| per GiB compacted (input bytes) | " + comp + " |");
    }
    Object idle = path(doc, "notes", "idle_requests_per_minute_isle-s3a");
    if (idle instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        if (e.getValue() instanceof Map) {
          out.line("| per idle minute, " + e.getKey() + " | " + e.getValue() + " |");
        }
      }
    }
    out.line("");
  }

  @SuppressWarnings("unchecked")
  void micro() {
    Object m = doc.get("micro");
    if (!(m instanceof List<?> list) || list.isEmpty()) {
      return;
    }
    out.line("## Micro benchmarks (JMH, 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement)");
    out.line("");
    out.line("| benchmark | class | score | error (99.9%) | unit |");
    out.line("| --- | --- | ---: | ---: | --- |");
    for (Object o : list) {
      Map<String, Object> r = (Map<String, Object>) o;
      out.row(
          r.get("workload"),
          path(r, "details", "class"),
          fmt(num(path(r, "details", "score"))),
          fmt(num(path(r, "details", "error_99.9"))),
          r.get("unit"));
    }
    out.line("");
  }

  void beforeAfter() {
    if (baseline == null) {
      return;
    }
    out.line("## Before and after the optimisations");
    out.line("");
    out.line(
        "Baseline: commit "
            + path(baseline, "environment", "isledb_commit")
            + ", "
            + path(baseline, "environment", "date")
            + ". Ratios are against RocksDB measured in the"
            + " same run as each figure, so they compare across the two runs.");
    out.line("");
    out.line("| workload | engine | before | after | before / rocksdb | after / rocksdb |");
    out.line("| --- | --- | ---: | ---: | ---: | ---: |");
    for (String w : COMPARED) {
      for (String e : ISLE) {
        double b = median(baseline, w, e);
        double a = median(doc, w, e);
        if (Double.isNaN(a) && Double.isNaN(b)) {
          continue;
        }
        out.row(
            w,
            e,
            fmt(b),
            fmt(a),
            ratio(b, median(baseline, w, "rocksdb")),
            ratio(a, median(doc, w, "rocksdb")));
      }
    }
    out.line("");
    Object before = baseline.get("micro");
    Object after = doc.get("micro");
    if (before instanceof List<?> bl && after instanceof List<?> al) {
      out.line("| JMH micro benchmark | before | after | unit |");
      out.line("| --- | ---: | ---: | --- |");
      for (Object o : al) {
        Map<?, ?> a = (Map<?, ?>) o;
        double b = Double.NaN;
        for (Object p : bl) {
          if (((Map<?, ?>) p).get("workload").equals(a.get("workload"))) {
            b = num(path(p, "details", "score"));
          }
        }
        out.row(a.get("workload"), fmt(b), fmt(num(path(a, "details", "score"))), a.get("unit"));
      }
      out.line("");
    }
  }
}
