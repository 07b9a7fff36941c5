package io.isledb.bench;

import io.isledb.RequestStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The db_bench-style workloads. Every workload runs one unmeasured warm-up, then {@link
 * Scale#runs()} measured runs; random choices come from seeded generators, so every engine sees the
 * same keys in the same order.
 */
public final class Workloads {
  private static final double MIB = 1024.0 * 1024.0;
  private static final double GIB = MIB * 1024.0;

  /**
   * Heap bytes a thread allocated, read around each cold lookup (outside its timed part): unlike
   * time, this does not move with the machine's load.
   */
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final java.lang.management.RuntimeMXBean UPTIME =
      ManagementFactory.getRuntimeMXBean();

  /**
   * Cold lookups slower than this are logged with the JVM's uptime, to line them up with a GC log
   * ({@code -Xlog:gc*} prints the same uptime); {@code -Dbench.slowMicros}, 1000 by default.
   */
  private static final long SLOW_NANOS = Long.getLong("bench.slowMicros", 1000) * 1000;

  private final Scale scale;
  private final BenchData data;
  private final long seed;

  /** Workloads at {@code scale} with values and key choices derived from {@code seed}. */
  public Workloads(Scale scale, long seed) {
    this.scale = scale;
    this.seed = seed;
    this.data = new BenchData(seed);
  }

  private static void log(String fmt, Object... args) {
    System.out.printf("  " + fmt + "%n", args);
  }

  // ------------------------------------------------------------------ writes

  /** fillseq / fillrandom: {@code keys} puts into a fresh database, then a durable flush. */
  public Runs fill(String workload, String engineName, Supplier<Engine> open, boolean random) {
    Runs out = new Runs(workload, engineName, "ops/s");
    Map<String, Long> requests = new TreeMap<>();
    long measuredBytes = 0;
    Runs storageRate = new Runs(workload, engineName, "MiB/s");
    long uploads = 0;
    long uploadedBytes = 0;
    Cpu cpu = new Cpu(0, 0);
    for (int run = 0; run <= scale.runs(); run++) {
      long n = run == 0 ? Math.max(1, scale.keys() / 4) : scale.keys();
      try (Engine e = open.get()) {
        RequestStats before = e instanceof IsleEngine ie ? ie.store().stats() : null;
        long stored0 = e.storageBytesWritten();
        SplittableRandom rnd = new SplittableRandom(seed * 31 + run);
        byte[] k = new byte[BenchData.KEY_SIZE];
        Cpu c0 = Cpu.now();
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
          long idx = random ? rnd.nextLong(scale.keys()) : i;
          e.put(BenchData.key(idx, k), data.value(i));
        }
        e.flush();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (run == 0) {
          continue;
        }
        cpu = cpu.plus(Cpu.now().minus(c0));
        out.add(n / secs);
        measuredBytes += n * (BenchData.KEY_SIZE + BenchData.VALUE_SIZE);
        if (before != null) {
          IsleEngine ie = (IsleEngine) e;
          RequestStats d = ie.store().stats().minus(before);
          addRequests(requests, d);
          uploads += d.count(RequestStats.RequestKind.UPLOAD);
          uploadedBytes += d.bytesWritten();
          storageRate.add((e.storageBytesWritten() - stored0) / secs / MIB);
        }
      }
    }
    out.details.put("user_MiB_per_s", round(out.median() * 420 / MIB));
    putCpu(out, cpu, measuredBytes);
    if (!requests.isEmpty()) {
      out.details.put("storage_MiB_per_s", round(storageRate.median()));
      if (uploads > 0) {
        out.details.put("mean_object_MiB", round(uploadedBytes / (double) uploads / MIB));
        Runs stored = new Runs(workload, engineName, "");
        putCpu(stored, cpu, uploadedBytes);
        out.details.put("cpu_s_per_stored_GiB", stored.details.get("cpu_s_per_GiB"));
        if (stored.details.containsKey("server_cpu_s_per_GiB")) {
          out.details.put(
              "server_cpu_s_per_stored_GiB", stored.details.get("server_cpu_s_per_GiB"));
        }
      }
      out.details.put("requests_per_GiB", perUnit(requests, measuredBytes / GIB));
    }
    log("%s", out);
    return out;
  }

  /** overwrite: random puts over a database already holding every key. */
  public Runs overwrite(String engineName, Supplier<Engine> open) {
    Runs out = new Runs("overwrite", engineName, "ops/s");
    try (Engine e = open.get()) {
      byte[] k = new byte[BenchData.KEY_SIZE];
      for (long i = 0; i < scale.keys(); i++) {
        e.put(BenchData.key(i, k), data.value(i));
      }
      e.flush();
      for (int run = 0; run <= scale.runs(); run++) {
        long n = run == 0 ? Math.max(1, scale.keys() / 4) : scale.keys();
        SplittableRandom rnd = new SplittableRandom(seed * 37 + run);
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
          e.put(BenchData.key(rnd.nextLong(scale.keys()), k), data.value(i + run));
        }
        e.flush();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (run > 0) {
          out.add(n / secs);
        }
      }
    }
    out.details.put("user_MiB_per_s", round(out.median() * 420 / MIB));
    log("%s", out);
    return out;
  }

  // ------------------------------------------------------------------ the read database

  /** A database holding every key (fillseq, flush, full compaction); compaction cost recorded. */
  public Engine prepareReadDb(Supplier<Engine> open, Map<String, Object> notes) {
    Engine e = open.get();
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (long i = 0; i < scale.keys(); i++) {
      e.put(BenchData.key(i, k), data.value(i));
    }
    e.flush();
    long t0 = System.nanoTime();
    if (e instanceof IsleEngine ie) {
      RequestStats before = ie.compactorStore().stats();
      long input = ie.compactAllCounted();
      RequestStats d = ie.compactorStore().stats().minus(before);
      Map<String, Long> req = new TreeMap<>();
      addRequests(req, d);
      notes.put("compaction_input_MiB", round(input / MIB));
      notes.put("compaction_seconds", round((System.nanoTime() - t0) / 1e9));
      if (input > 0) {
        notes.put("compaction_requests_per_GiB", perUnit(req, input / GIB));
      }
    } else {
      e.compactAll();
      notes.put("compaction_seconds", round((System.nanoTime() - t0) / 1e9));
    }
    return e;
  }

  // ------------------------------------------------------------------ reads

  /** Reads every key once, in order (fills caches). */
  public void warm(Engine.Reads r) {
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (long i = 0; i < scale.keys(); i++) {
      if (r.get(BenchData.key(i, k)) == null) {
        throw new IllegalStateException("warm-up: key " + i + " is missing");
      }
    }
  }

  /** readrandom (hot) or readmissing on a warmed reader. */
  public Runs readRandom(String workload, String engineName, Engine.Reads r, boolean missing) {
    Runs out = new Runs(workload, engineName, "ops/s");
    Latencies lat = new Latencies((int) Math.min(1 << 23, scale.readOps() * scale.runs()));
    RequestStats before = r instanceof IsleEngine.IsleReads ir ? ir.store().stats() : null;
    long measuredOps = 0;
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (int run = 0; run <= scale.runs(); run++) {
      long n = run == 0 ? Math.max(1, scale.readOps() / 4) : scale.readOps();
      SplittableRandom rnd = new SplittableRandom(seed * 41 + run);
      long t0 = System.nanoTime();
      for (long i = 0; i < n; i++) {
        long idx = rnd.nextLong(scale.keys());
        byte[] key = missing ? BenchData.missingKey(idx, k) : BenchData.key(idx, k);
        long s = System.nanoTime();
        byte[] v = r.get(key);
        long d = System.nanoTime() - s;
        if ((v == null) != missing) {
          throw new IllegalStateException(workload + ": wrong answer for key " + idx);
        }
        if (run > 0) {
          lat.add(d);
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      if (run > 0) {
        out.add(n / secs);
        measuredOps += n;
      }
    }
    out.details.put("latency", lat.summaryMicros());
    if (before != null) {
      Map<String, Long> req = new TreeMap<>();
      addRequests(req, ((IsleEngine.IsleReads) r).store().stats().minus(before));
      out.details.put("requests_per_million_reads", perUnit(req, measuredOps / 1e6));
    }
    log("%s", out);
    return out;
  }

  /**
   * readrandom-cold: each run opens a new reader with empty caches (IsleDB: no disk cache either)
   * and times {@code coldReads} random lookups. For IsleDB it also counts the storage reads each
   * lookup caused.
   */
  public Runs readCold(String engineName, Engine e) {
    Runs out = new Runs("readrandom-cold", engineName, "ops/s");
    Latencies lat = new Latencies(scale.coldReads() * scale.runs());
    long[] getsHistogram = new long[8]; // index = GETs per lookup, last bucket = 7 or more
    long totalGets = 0;
    long measured = 0;
    long allocated = 0;
    long faults = 0;
    List<String> slow = new ArrayList<>();
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (int run = 0; run <= scale.runs(); run++) {
      int n = run == 0 ? Math.max(1, scale.coldReads() / 4) : scale.coldReads();
      SplittableRandom rnd = new SplittableRandom(seed * 43 + run);
      try (Engine.Reads r = e.openReads(true)) {
        IsleEngine.IsleReads ir = r instanceof IsleEngine.IsleReads x ? x : null;
        long busy = 0;
        long faults0 = minorFaults();
        for (int i = 0; i < n; i++) {
          long idx = rnd.nextLong(scale.keys());
          long gets0 = ir == null ? 0 : ir.store().stats().gets();
          BenchData.key(idx, k);
          long a0 = THREADS.getCurrentThreadAllocatedBytes();
          long s = System.nanoTime();
          byte[] v = r.get(k);
          long d = System.nanoTime() - s;
          long a = THREADS.getCurrentThreadAllocatedBytes() - a0;
          if (v == null) {
            throw new IllegalStateException("readrandom-cold: key " + idx + " is missing");
          }
          busy += d;
          if (run > 0) {
            lat.add(d);
            allocated += a;
            if (d >= SLOW_NANOS && slow.size() < 50) {
              slow.add(String.format("%.1f us at %d ms", d / 1e3, UPTIME.getUptime()));
            }
            if (ir != null) {
              long g = ir.store().stats().gets() - gets0;
              getsHistogram[(int) Math.min(7, g)]++;
              totalGets += g;
            }
            measured++;
          }
        }
        if (run > 0) {
          out.add(n / (busy / 1e9));
          faults += minorFaults() - faults0;
        }
      }
    }
    out.details.put("latency", lat.summaryMicros());
    if (measured > 0) {
      out.details.put("alloc_bytes_per_lookup", Math.round((double) allocated / measured));
      if (minorFaults() >= 0) {
        out.details.put("minor_faults_per_lookup", round((double) faults / measured));
      }
    }
    if (!slow.isEmpty()) {
      log(
          "%s %s: lookups over %d us (JVM uptime): %s",
          out.workload, engineName, SLOW_NANOS / 1000, slow);
    }
    if (measured > 0 && totalGets > 0) {
      out.details.put("gets_per_lookup", round((double) totalGets / measured));
      Map<String, Long> h = new LinkedHashMap<>();
      for (int i = 0; i < getsHistogram.length; i++) {
        if (getsHistogram[i] > 0) {
          h.put(i == 7 ? "7+" : Integer.toString(i), getsHistogram[i]);
        }
      }
      out.details.put("lookups_by_gets", h);
      out.details.put(
          "gets_per_million_reads", Math.round((double) totalGets / measured * 1_000_000));
    }
    log("%s", out);
    return out;
  }

  /**
   * Minor page faults of this process so far (Linux {@code /proc/self/stat}, field 10), or -1 where
   * there is no such file: a fault is the kernel mapping a page touched for the first time, for
   * example a heap that grew, and costs about a microsecond.
   */
  static long minorFaults() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]); // field 10 of the whole line: fields start at 3 after ')'
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  /** seekrandom: a seek to a random key followed by 10 nexts, on a warmed reader. */
  public Runs seekRandom(String engineName, Engine.Reads r) {
    Runs out = new Runs("seekrandom+next10", engineName, "seeks/s");
    Latencies lat = new Latencies((int) Math.min(1 << 22, scale.seekOps() * scale.runs()));
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (int run = 0; run <= scale.runs(); run++) {
      long n = run == 0 ? Math.max(1, scale.seekOps() / 4) : scale.seekOps();
      SplittableRandom rnd = new SplittableRandom(seed * 47 + run);
      long t0 = System.nanoTime();
      for (long i = 0; i < n; i++) {
        long idx = rnd.nextLong(scale.keys());
        long s = System.nanoTime();
        int got = r.scan(BenchData.key(idx, k), 10);
        long d = System.nanoTime() - s;
        if (got != Math.min(10, scale.keys() - idx)) {
          throw new IllegalStateException("seek at " + idx + " read " + got + " entries");
        }
        if (run > 0) {
          lat.add(d);
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      if (run > 0) {
        out.add(n / secs);
      }
    }
    out.details.put("latency", lat.summaryMicros());
    log("%s", out);
    return out;
  }

  /**
   * readwhilewriting: one writer overwrites random keys at {@link Scale#writeRate()} puts/s while
   * one reader reads random keys at full speed, refreshing its view every second.
   */
  public Runs readWhileWriting(String engineName, Engine e, Engine.Reads r) {
    Runs out = new Runs("readwhilewriting", engineName, "reads/s");
    Latencies lat = new Latencies(1 << 22);
    double writesPerSec = 0;
    for (int run = 0; run <= scale.runs(); run++) {
      long millis = run == 0 ? Math.max(500, scale.rwSeconds() * 250L) : scale.rwSeconds() * 1000L;
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong written = new AtomicLong();
      int runNo = run;
      Thread writer =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(seed * 53 + runNo);
                byte[] wk = new byte[BenchData.KEY_SIZE];
                long start = System.nanoTime();
                long i = 0;
                while (!stop.get()) {
                  long due = (long) ((System.nanoTime() - start) / 1e9 * scale.writeRate());
                  if (i >= due) {
                    try {
                      Thread.sleep(1);
                    } catch (InterruptedException ex) {
                      return;
                    }
                    continue;
                  }
                  e.put(BenchData.key(rnd.nextLong(scale.keys()), wk), data.value(i++));
                  written.incrementAndGet();
                }
              },
              "bench-writer");
      SplittableRandom rnd = new SplittableRandom(seed * 59 + run);
      byte[] k = new byte[BenchData.KEY_SIZE];
      writer.start();
      long t0 = System.nanoTime();
      long end = t0 + millis * 1_000_000L;
      long nextRefresh = t0 + 1_000_000_000L;
      long reads = 0;
      long now = t0;
      while (now < end) {
        for (int b = 0; b < 64; b++) {
          long s = System.nanoTime();
          byte[] v = r.get(BenchData.key(rnd.nextLong(scale.keys()), k));
          long d = System.nanoTime() - s;
          if (v == null) {
            throw new IllegalStateException("readwhilewriting: a key is missing");
          }
          if (run > 0) {
            lat.add(d);
          }
        }
        reads += 64;
        now = System.nanoTime();
        if (now >= nextRefresh) {
          r.refresh();
          nextRefresh = now + 1_000_000_000L;
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      stop.set(true);
      try {
        writer.join();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      if (run > 0) {
        out.add(reads / secs);
        writesPerSec += written.get() / secs / scale.runs();
      }
    }
    e.flush();
    out.details.put("writes_per_s", Math.round(writesPerSec));
    out.details.put("latency", lat.summaryMicros());
    log("%s", out);
    return out;
  }

  /**
   * flush-to-visible: put one new value, flush, and read it back through a reader that refreshes
   * right after the flush returns. Reports the flush latency and the flush-to-visible latency.
   */
  public Runs flushToVisible(String engineName, Engine e, Engine.Reads r) {
    Runs out = new Runs("flush-to-visible", engineName, "ms (p50)");
    Latencies flush = new Latencies(scale.visibilityIterations() * (scale.runs() + 1));
    Latencies visible = new Latencies(scale.visibilityIterations() * (scale.runs() + 1));
    byte[] key = BenchData.key(scale.keys() / 2);
    for (int run = 0; run <= scale.runs(); run++) {
      Latencies runVisible = new Latencies(scale.visibilityIterations());
      int n =
          run == 0 ? Math.max(1, scale.visibilityIterations() / 4) : scale.visibilityIterations();
      for (int i = 0; i < n; i++) {
        byte[] v = data.value(i).clone();
        long marker = ((long) run << 32) | i;
        for (int b = 0; b < 8; b++) {
          v[b] = (byte) (marker >>> (8 * b));
        }
        e.put(key, v);
        long t0 = System.nanoTime();
        e.flush();
        long t1 = System.nanoTime();
        while (true) {
          r.refresh();
          byte[] got = r.get(key);
          if (got != null && java.util.Arrays.equals(got, v)) {
            break;
          }
        }
        long t2 = System.nanoTime();
        if (run > 0) {
          flush.add(t1 - t0);
          visible.add(t2 - t0);
          runVisible.add(t2 - t0);
        }
      }
      if (run > 0) {
        out.add(runVisible.percentile(50) / 1e6);
      }
    }
    out.details.put("flush_latency", flush.summaryMicros());
    out.details.put("flush_to_visible_latency", visible.summaryMicros());
    log("%s", out);
    return out;
  }

  // ------------------------------------------------------------------ helpers

  /** CPU seconds per GiB of user data, of this JVM and of the S3 server (if it did any work). */
  static void putCpu(Runs out, Cpu cpu, double bytes) {
    out.details.put("cpu_s_per_GiB", round(cpu.selfNanos() / 1e9 / (bytes / GIB)));
    if (cpu.childrenNanos() > 1e8) {
      out.details.put("server_cpu_s_per_GiB", round(cpu.childrenNanos() / 1e9 / (bytes / GIB)));
    }
  }

  static void addRequests(Map<String, Long> into, RequestStats d) {
    d.counts().forEach((kind, n) -> into.merge(kind.name(), n, Long::sum));
    d.backend()
        .forEach(
            (name, n) -> {
              if (n != 0 && HTTP_COUNTERS.containsKey(name)) {
                into.merge("http." + HTTP_COUNTERS.get(name), n, Long::sum);
              }
            });
  }

  /** The S3A counters reported, by their short name. */
  static final Map<String, String> HTTP_COUNTERS =
      Map.of(
          "action_http_get_request", "GET",
          "object_metadata_request", "HEAD",
          "object_put_request", "PUT",
          "object_multipart_initiated", "POST_multipart_initiate",
          "object_list_request", "LIST",
          "object_delete_request", "DELETE",
          "object_bulk_delete_request", "POST_bulk_delete",
          "store_io_request", "all");

  static Map<String, Object> perUnit(Map<String, Long> counts, double units) {
    Map<String, Object> m = new TreeMap<>();
    counts.forEach(
        (k, v) -> {
          if (v != 0) {
            m.put(k, round(v / units));
          }
        });
    return m;
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
