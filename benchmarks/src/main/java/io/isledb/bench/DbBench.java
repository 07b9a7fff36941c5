package io.isledb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.WriterOptions;
import io.isledb.bench.flink.ConnectorSuite;
import io.isledb.bench.flink.FlinkJobSuite;
import io.isledb.bench.flink.FlinkRestoreSuite;
import io.isledb.bench.flink.FlinkStateSuite;
import io.isledb.bench.flink.JobSettings;
import io.isledb.bench.flink.StateBackends;
import io.isledb.bench.flink.StateSettings;
import io.isledb.testing.PostgresServer;
import io.isledb.testing.S3ProxyServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The db_bench-style harness: runs the suite against RocksDB on local disk and IsleDB on file://
 * and on s3a:// (s3proxy on loopback) in one process, then writes {@code benchmarks.json}, {@code
 * BENCHMARKS.md} and {@code benchmarks.png} into the docs directory.
 *
 * <pre>
 * --suite standard|quick     sizes (Scale)
 * --docs DIR                 where the report goes (default: docs)
 * --work DIR                 scratch space for databases (default: target/bench)
 * --engines a,b,c            subset of rocksdb,isle-file,isle-s3a,forst,hashmap (default all;
 *                            the Flink groups run the named state backends, rocksdb = Flink's)
 * --workloads a,b            subset of workloads (default all)
 * --seed N                   seed of every random choice (default 20261124)
 * --baseline FILE            an earlier benchmarks.json to compare with (default:
 *                            benchmarks-baseline.json in the docs directory, if there)
 * --no-jmh                   skip the JMH micro benchmarks
 * --no-report                write the JSON only
 *                            (workload commit: small commits per manifest store, object
 *                            store vs PostgreSQL, see ManifestCommits;
 *                            flink-state: Flink's state backends, see FlinkStateSuite;
 *                            flink-restore: their checkpoints, restore and rescale, see
 *                            FlinkRestoreSuite;
 *                            flink-job: whole jobs on them, see FlinkJobSuite;
 *                            flink-connector: the isle table vs Paimon, see ConnectorSuite)
 * --flink-restore-mib N      state size of the flink-restore group (default: its suite's)
 * --s3a-conf k=v,k=v         extra Hadoop settings for the s3a:// store
 * --merge A.json,B.json,...  run nothing: the page of run A with the Flink groups of B, ... (runs
 *                            of those groups alone) in place of A's, each stated as its own run
 *                            (GroupRuns)
 * </pre>
 */
public final class DbBench {
  /** Block cache of both engines' readers. */
  public static final long BLOCK_CACHE_BYTES = 1L << 30;

  static final List<String> ALL_WORKLOADS =
      List.of(
          "raw",
          "fillseq",
          "fillrandom",
          "overwrite",
          "readrandom-hot",
          "readmissing",
          "seekrandom",
          "readrandom-cold",
          "readwhilewriting",
          "flush-to-visible",
          "tail",
          "idle",
          "commit",
          "flink-state",
          "flink-restore",
          "flink-job",
          "flink-connector");

  /** The engines of the engine workloads; the Flink groups also take forst and hashmap. */
  static final List<String> ENGINES = List.of("rocksdb", "isle-file", "isle-s3a");

  /** Extra Hadoop settings for s3a:// (--s3a-conf). */
  static final Map<String, String> EXTRA_S3A_CONF = new LinkedHashMap<>();

  private DbBench() {}

  static Map<String, String> s3aConf(S3ProxyServer s3) {
    Map<String, String> m = new LinkedHashMap<>(s3.hadoopConf());
    m.putAll(EXTRA_S3A_CONF);
    return m;
  }

  /** Entry point; see the class comment for options. */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Scale scale = Scale.named(a.getOrDefault("suite", "standard"));
    Path docs = Path.of(a.getOrDefault("docs", "docs")).toAbsolutePath();
    Path work = Path.of(a.getOrDefault("work", "target/bench")).toAbsolutePath();
    long seed = Long.parseLong(a.getOrDefault("seed", "20261124"));
    Set<String> engines =
        new LinkedHashSet<>(
            Arrays.asList(
                a.getOrDefault("engines", "rocksdb,isle-file,isle-s3a,forst,hashmap").split(",")));
    Set<String> workloads =
        new LinkedHashSet<>(
            a.containsKey("workloads")
                ? Arrays.asList(a.get("workloads").split(","))
                : ALL_WORKLOADS);
    if (a.containsKey("s3a-conf")) {
      for (String kv : a.get("s3a-conf").split(",")) {
        int eq = kv.indexOf('=');
        EXTRA_S3A_CONF.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    if (a.containsKey("flink-restore-mib")) {
      System.setProperty("isledb.bench.flink-restore.mib", a.get("flink-restore-mib"));
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> results =
        a.containsKey("merge")
            ? merged(json, a.get("merge"))
            : run(scale, work, seed, engines, workloads, !a.containsKey("no-jmh"));
    Files.createDirectories(docs);
    Path jsonFile = docs.resolve("benchmarks.json");
    json.writeValue(jsonFile.toFile(), results);
    System.out.println("wrote " + jsonFile);
    if (!a.containsKey("no-report")) {
      Map<String, Object> baseline = null;
      // The figures before the optimisations of issue 5, kept beside the page.
      Path baselineFile =
          a.containsKey("baseline")
              ? Path.of(a.get("baseline"))
              : docs.resolve("benchmarks-baseline.json");
      if (Files.exists(baselineFile)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> b = json.readValue(baselineFile.toFile(), Map.class);
        baseline = b;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> reread = json.readValue(jsonFile.toFile(), Map.class);
      Report.write(reread, baseline, docs);
      System.out.println("wrote " + docs.resolve("BENCHMARKS.md"));
    }
  }

  /** The documents of {@code files} (comma-separated) merged by {@link GroupRuns#merge}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> merged(ObjectMapper json, String files) throws IOException {
    String[] names = files.split(",");
    Map<String, Object> doc = json.readValue(Path.of(names[0]).toFile(), Map.class);
    for (int i = 1; i < names.length; i++) {
      doc = GroupRuns.merge(doc, json.readValue(Path.of(names[i]).toFile(), Map.class));
    }
    return doc;
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String s = args[i];
      if (!s.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + s);
      }
      String k = s.substring(2);
      if (k.startsWith("no-")) {
        m.put(k, "true");
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + s);
        }
        m.put(k, args[++i]);
      }
    }
    return m;
  }

  /** Runs the suite and returns the results document. */
  public static Map<String, Object> run(
      Scale scale, Path work, long seed, Set<String> engines, Set<String> workloads, boolean jmh)
      throws Exception {
    for (String e : engines) {
      if (!StateBackends.ALL.contains(e)) {
        throw new IllegalArgumentException("unknown engine " + e + ", not in " + StateBackends.ALL);
      }
    }
    long started = System.nanoTime();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("environment", Environment.describe(scale, seed));
    List<Runs> all = new ArrayList<>();
    Map<String, Object> notes = new LinkedHashMap<>();
    if (jmh) {
      section(started, "JMH micro benchmarks");
      doc.put("micro", JmhSuite.run(false).stream().map(Runs::toMap).toList());
    }
    Files.createDirectories(work);
    // The commit workload's PostgreSQL server starts in the background, beside the S3 server.
    CompletableFuture<PostgresServer> pg =
        workloads.contains(ManifestCommits.WORKLOAD) ? ManifestCommits.startServer() : null;
    S3ProxyServer s3 = engines.contains("isle-s3a") ? S3ProxyServer.start() : null;
    if (s3 != null) {
      S3ServerCpu.publish(s3);
    }
    try {
      Map<String, Supplier<Engine>> factories = new LinkedHashMap<>();
      for (String e : engines) {
        if (ENGINES.contains(e)) {
          factories.put(e, factory(e, work, s3));
        }
      }
      Workloads w = new Workloads(scale, seed);
      TailAndCost tc = new TailAndCost(scale, seed);

      if (workloads.contains("raw")) {
        section(started, "raw storage");
        // About the size of the tables IsleDB uploads (a 64 MiB memtable, LZ4 on half-compressible
        // values); smaller for tiny suites.
        int objectSize = (int) Math.min(32 << 20, Math.max(64 << 10, scale.rawBytes() / 8));
        all.addAll(
            RawStorage.localDisk(work.resolve("raw"), objectSize, scale.rawBytes(), runs(scale)));
        if (s3 != null) {
          try (ObjectStore st =
              IsleDB.openStore(s3.bucketUri(), "raw-" + System.nanoTime(), s3aConf(s3))) {
            all.addAll(
                RawStorage.objectStore("s3proxy", st, objectSize, scale.rawBytes(), runs(scale)));
          }
        }
      }
      for (String wl : List.of("fillseq", "fillrandom")) {
        if (workloads.contains(wl)) {
          section(started, "" + wl);
          for (var f : factories.entrySet()) {
            all.add(w.fill(wl, f.getKey(), f.getValue(), wl.equals("fillrandom")));
          }
        }
      }
      if (workloads.contains("overwrite")) {
        section(started, "overwrite");
        for (var f : factories.entrySet()) {
          all.add(w.overwrite(f.getKey(), f.getValue()));
        }
      }
      Set<String> reads = new LinkedHashSet<>(workloads);
      reads.retainAll(
          List.of(
              "readrandom-hot",
              "readmissing",
              "seekrandom",
              "readrandom-cold",
              "readwhilewriting",
              "flush-to-visible",
              "tail",
              "idle"));
      if (!reads.isEmpty()) {
        for (var f : factories.entrySet()) {
          String name = f.getKey();
          section(started, "read workloads on " + name);
          Map<String, Object> prep = new LinkedHashMap<>();
          try (Engine e = w.prepareReadDb(f.getValue(), prep)) {
            notes.put("read_db_" + name, prep);
            System.out.println("  prepared: " + prep);
            try (Engine.Reads hot = e.openReads(false)) {
              long t0 = System.nanoTime();
              w.warm(hot);
              prep.put("warmup_seconds", Workloads.round((System.nanoTime() - t0) / 1e9));
              if (reads.contains("readrandom-hot")) {
                all.add(w.readRandom("readrandom-hot", name, hot, false));
              }
              if (reads.contains("readmissing")) {
                all.add(w.readRandom("readmissing", name, hot, true));
              }
              if (reads.contains("seekrandom")) {
                all.add(w.seekRandom(name, hot));
              }
              if (reads.contains("readrandom-cold")) {
                all.add(w.readCold(name, e));
              }
              if (reads.contains("readwhilewriting")) {
                all.add(w.readWhileWriting(name, e, hot));
              }
              if (reads.contains("flush-to-visible")) {
                all.add(w.flushToVisible(name, e, hot));
              }
            }
            if (e instanceof IsleEngine ie) {
              if (reads.contains("tail")) {
                all.add(tc.tailLatency(name, ie));
                all.add(tc.tailThroughput(name, ie));
              }
              if (reads.contains("idle")) {
                notes.put("idle_requests_per_minute_" + name, tc.idleCost(ie));
              }
            }
          }
        }
      }
      if (workloads.contains("commit")) {
        section(started, "commit (small commits per manifest store; PostgreSQL server)");
        List<String> tables = new ArrayList<>(Report.ISLE);
        tables.retainAll(engines);
        if (!tables.isEmpty()) {
          Path dir = Files.createDirectories(work.resolve("commit"));
          all.addAll(ManifestCommits.run(scale, seed, tables, "file://" + dir, s3, pg.join()));
        }
      }
      if (workloads.contains("flink-state")) {
        section(started, "flink-state (JMH, child JVM)");
        doc.put("flink", flinkState(scale, work, s3, engines, all));
      }
      if (workloads.contains("flink-restore")) {
        section(started, "flink-restore (checkpoint, restore, rescale; child JVM)");
        doc.put(
            "flink_restore",
            FlinkRestoreSuite.runForHarness(
                scale.name().equals("standard") || scale.name().equals("quick")
                    ? scale.name()
                    : "smoke",
                work.resolve("flink-restore"),
                s3 == null ? null : s3.bucketUri(),
                s3 == null ? Map.of() : s3aConf(s3),
                engines,
                all));
      }
      if (workloads.contains("flink-connector")) {
        section(started, "flink-connector (Flink SQL vs Paimon, child JVM)");
        doc.put(
            "flink_connector",
            ConnectorSuite.runGroup(
                scale.name(),
                work,
                seed,
                s3 == null ? null : s3.bucketUri(),
                s3 == null ? Map.of() : s3aConf(s3),
                engines,
                all));
      }
      if (workloads.contains("flink-job")) {
        section(started, "flink-job (MiniCluster, child JVM)");
        doc.put("flink_job", flinkJob(scale, work, seed, s3, engines, all));
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
      ManifestCommits.stop(pg);
    }
    doc.put("results", all.stream().map(Runs::toMap).toList());
    doc.put("notes", notes);
    @SuppressWarnings("unchecked")
    Map<String, Object> env = (Map<String, Object>) doc.get("environment");
    env.put("load_average_end", Environment.loadAverage());
    env.put("suite_minutes", Workloads.round((System.nanoTime() - started) / 60e9));
    return doc;
  }

  /**
   * The flink-state group: Flink's keyed state backends side by side (isle on the harness's isle
   * engines' stores, rocksdb, forst, hashmap); adds its results to {@code all} and returns the
   * settings and versions the report states.
   */
  private static Map<String, Object> flinkState(
      Scale scale, Path work, S3ProxyServer s3, Set<String> engines, List<Runs> all)
      throws Exception {
    StateSettings fs = StateSettings.named(flinkSuite(scale), work.resolve("flink-state"));
    if (s3 != null) {
      fs = fs.withS3(s3.bucketUri(), s3aConf(s3));
    }
    List<String> backends = FlinkStateSuite.backends(engines);
    all.addAll(FlinkStateSuite.run(fs, backends, fs.keySpaces()));
    return flinkGroup(fs.describe(), backends);
  }

  /** What the report states about a Flink group: versions, settings, backends, JVM options. */
  private static Map<String, Object> flinkGroup(Object settings, List<String> backends) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("versions", FlinkStateSuite.versions());
    m.put("settings", settings);
    m.put("backends", backends);
    m.put("jvm_options", FlinkStateSuite.JVM_OPTIONS);
    return m;
  }

  /**
   * The flink-job group: whole jobs on Flink's state backends that {@code engines} names; adds its
   * results to {@code all} and returns the settings and versions the report states.
   */
  private static Map<String, Object> flinkJob(
      Scale scale, Path work, long seed, S3ProxyServer s3, Set<String> engines, List<Runs> all)
      throws Exception {
    JobSettings js =
        JobSettings.named(flinkSuite(scale), work.resolve("flink-job").toString(), seed);
    if (s3 != null) {
      js = js.withS3(s3.bucketUri(), s3aConf(s3));
    }
    List<String> backends = FlinkStateSuite.backends(engines);
    all.addAll(FlinkJobSuite.run(js, backends));
    return flinkGroup(js.describe(), backends);
  }

  /** The Flink groups' suite of a harness scale: standard, quick, or smoke for the tests' tiny. */
  private static String flinkSuite(Scale scale) {
    return scale.name().equals("standard") || scale.name().equals("quick") ? scale.name() : "smoke";
  }

  private static void section(long started, String name) {
    System.out.printf("== %s (at %.1f s)%n", name, (System.nanoTime() - started) / 1e9);
  }

  private static int runs(Scale s) {
    return s.runs();
  }

  static Supplier<Engine> factory(String name, Path work, S3ProxyServer s3) throws IOException {
    return switch (name) {
      case "rocksdb" -> () -> new RocksEngine(work.resolve("rocksdb"), BLOCK_CACHE_BYTES);
      case "isle-file" -> {
        Path dir = work.resolve("isle-file");
        Files.createDirectories(dir);
        String uri = "file://" + dir;
        yield () ->
            new IsleEngine(
                "isle-file", uri, Map.of(), WriterOptions.defaults(), BLOCK_CACHE_BYTES, true);
      }
      case "isle-s3a" ->
          () ->
              new IsleEngine(
                  "isle-s3a",
                  s3.bucketUri(),
                  s3aConf(s3),
                  WriterOptions.defaults(),
                  BLOCK_CACHE_BYTES,
                  true);
      default -> throw new IllegalArgumentException("unknown engine " + name);
    };
  }

  /** Facts about the machine and versions, stated in the report. */
  static final class Environment {
    private Environment() {}

    static Map<String, Object> describe(Scale scale, long seed) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("date", Instant.now().toString());
      m.put("cpu", cpuModel());
      m.put("cores", Runtime.getRuntime().availableProcessors());
      m.put(
          "memory_GiB",
          Workloads.round(
              ((com.sun.management.OperatingSystemMXBean)
                          ManagementFactory.getOperatingSystemMXBean())
                      .getTotalMemorySize()
                  / (1024.0 * 1024 * 1024)));
      m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
      m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      m.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
      m.put("load_average_start", loadAverage());
      m.put("isledb_commit", gitCommit());
      m.put("rocksdb", RocksEngine.version());
      m.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
      m.put("s3proxy", "4.1.0 (filesystem backend, child JVM -Xmx512m, 127.0.0.1)");
      m.put("suite", scale);
      m.put("seed", seed);
      m.put("block_cache_MiB", BLOCK_CACHE_BYTES >> 20);
      m.put("extra_s3a_conf", EXTRA_S3A_CONF.toString());
      return m;
    }

    static String loadAverage() {
      try {
        return Files.readString(Path.of("/proc/loadavg")).trim();
      } catch (IOException e) {
        return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
    }

    static String cpuModel() {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (l.startsWith("model name")) {
            return l.substring(l.indexOf(':') + 1).trim();
          }
        }
      } catch (IOException e) {
        // not Linux
      }
      return System.getProperty("os.arch");
    }

    /** The commit, with "-dirty" if tracked files outside docs/ (the report itself) differ. */
    static String gitCommit() {
      try {
        String head = run("git", "rev-parse", "--short", "HEAD");
        String changed =
            run(
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)docs");
        return head == null
            ? "unknown"
            : changed == null || changed.isEmpty() ? head : head + "-dirty";
      } catch (IOException | InterruptedException e) {
        return "unknown";
      }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? s : null;
    }
  }
}
