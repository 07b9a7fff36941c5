package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The flink-state group: runs the JMH state benchmarks of this package ({@code *StateBenchmarks},
 * {@link TimerBenchmarks}) in a child JVM and returns one {@link Runs} per operation, key space and
 * backend (workload {@code value.get/small}, engine {@code rocksdb}).
 *
 * <p>Why a child JVM: flink-statebackend-rocksdb runs on frocksdbjni, whose {@code org.rocksdb}
 * classes clash with the rocksdbjni that {@code RocksEngine} measures in the harness's JVM. The
 * child's class path is the harness's without rocksdbjni, and every JMH fork inherits it, with the
 * same JVM options for every backend.
 *
 * <p>Size: 11 operations x 2 key spaces x 5 backends = 110 JMH benchmarks; the standard suite runs
 * each in 2 forks of 2 warm-up and 3 measured 1 s iterations, after writing the key space (up to
 * 1.3 M entries), so the group takes roughly half an hour on 2 cores. {@code --suite quick} (no
 * forks, one warm-up and one measured 200 ms iteration, 200 and 20,000 entries: its "large" key
 * space does not exceed the caches) took 4.5 minutes under a load of 25-38; the smoke mode of the
 * tests runs every operation on isle and the value state ones on the peers, in seconds.
 */
public final class FlinkStateSuite {
  /** JVM options of the child and of every JMH fork (the Kryo add-opens of flink-dist). */
  public static final List<String> JVM_OPTIONS =
      List.of(
          "-Xmx2g",
          "-XX:+UseParallelGC",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

  private FlinkStateSuite() {}

  /**
   * Runs the group for {@code backends} and {@code keySpaces} and returns its results; the child's
   * output goes to this process's standard output.
   */
  public static List<Runs> run(
      StateSettings s, Collection<String> backends, Collection<String> keySpaces) throws Exception {
    return ChildJvm.run(
        "flink-state",
        s.work(),
        s.toJvmArgs(),
        FlinkStateSuite.class,
        out ->
            List.of(
                out.toString(),
                String.join(",", backends),
                String.join(",", keySpaces),
                String.valueOf(s.forks()),
                String.valueOf(s.warmups()),
                String.valueOf(s.iterations()),
                String.valueOf(s.iterationMillis())));
  }

  /** The class path without rocksdbjni (frocksdbjni stays: Flink's RocksDB backend needs it). */
  static String childClassPath(String cp) {
    List<String> kept = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!Path.of(e).getFileName().toString().startsWith("rocksdbjni-")) {
        kept.add(e);
      }
    }
    return String.join(File.pathSeparator, kept);
  }

  /** Versions of Flink and of the native libraries of its backends, from the class path. */
  public static Map<String, Object> versions() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flink", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String f = Path.of(e).getFileName().toString();
      for (String lib : List.of("frocksdbjni-", "forstjni-")) {
        if (f.startsWith(lib) && f.endsWith(".jar")) {
          m.put(lib.substring(0, lib.length() - 1), f.substring(lib.length(), f.length() - 4));
        }
      }
    }
    return m;
  }

  /**
   * The child JVM: {@code OUT BACKENDS KEY_SPACES FORKS WARMUPS ITERATIONS MILLIS}. Writes the
   * results as a JSON list of {@link Runs#toMap()}.
   */
  public static void main(String[] args) throws Exception {
    Class<?> rocks = Class.forName("org.rocksdb.RocksDB");
    String from = String.valueOf(rocks.getProtectionDomain().getCodeSource().getLocation());
    if (!from.contains("frocksdbjni")) {
      throw new IllegalStateException("org.rocksdb must come from frocksdbjni here, not " + from);
    }
    List<String> backends = list(args[1]);
    List<Map<String, Object>> out = new ArrayList<>();
    if (StateSettings.fromSystemProperties().suite().equals("smoke")) {
      // Wiring only, in seconds: every operation on isle; the peers run the same Flink state API
      // code, so one class proves they load and work here.
      List<String> all = new ArrayList<>(backends);
      all.retainAll(List.of("isle-file", "isle-s3a"));
      List<String> peers = new ArrayList<>(backends);
      peers.removeAll(all);
      out.addAll(runJmh(".*Benchmarks\\..*", all, args));
      out.addAll(runJmh("ValueStateBenchmarks\\..*", peers, args));
    } else {
      out.addAll(runJmh(".*Benchmarks\\..*", backends, args));
    }
    new ObjectMapper().writeValue(Path.of(args[0]).toFile(), out);
  }

  private static List<Map<String, Object>> runJmh(
      String classAndMethod, List<String> backends, String[] args) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    if (backends.isEmpty()) {
      return out;
    }
    int forks = Integer.parseInt(args[3]);
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include("io\\.isledb\\.bench\\.flink\\." + classAndMethod)
            .param("backend", backends.toArray(String[]::new))
            .param("keySpace", args[2].split(","))
            .forks(forks)
            .warmupIterations(Integer.parseInt(args[4]))
            .measurementIterations(Integer.parseInt(args[5]))
            .warmupTime(TimeValue.milliseconds(Long.parseLong(args[6])))
            .measurementTime(TimeValue.milliseconds(Long.parseLong(args[6])))
            .timeUnit(java.util.concurrent.TimeUnit.SECONDS)
            .mode(org.openjdk.jmh.annotations.Mode.Throughput)
            .shouldFailOnError(true);
    if (S3ServerCpu.nanos() >= 0) {
      b = b.addProfiler(S3ServerCpuProfiler.class).jvmArgsAppend(S3ServerCpu.jvmArgs().get(0));
    }
    Collection<RunResult> results = new Runner(b.build()).run();
    for (RunResult r : results) {
      out.add(toRuns(r, forks).toMap());
    }
    return out;
  }

  private static final Map<String, String> KINDS =
      Map.of(
          "ValueStateBenchmarks", "value",
          "MapStateBenchmarks", "map",
          "ListStateBenchmarks", "list",
          "TimerBenchmarks", "timer");

  static Runs toRuns(RunResult r, int forks) {
    String label = r.getParams().getBenchmark();
    String[] parts = label.split("\\.");
    String op = KINDS.get(parts[parts.length - 2]) + "." + parts[parts.length - 1];
    String keySpace = r.getParams().getParam("keySpace");
    Runs x = new Runs(op + "/" + keySpace, r.getParams().getParam("backend"), "ops/s");
    r.getBenchmarkResults()
        .forEach(
            br -> br.getIterationResults().forEach(ir -> x.add(ir.getPrimaryResult().getScore())));
    x.details.put("group", "flink-state");
    x.details.put("op", op);
    x.details.put("key_space", keySpace);
    x.details.put("forks", Math.max(1, forks));
    double err = r.getPrimaryResult().getScoreError();
    x.details.put("jmh_score", r.getPrimaryResult().getScore());
    x.details.put("jmh_error_99.9", Double.isNaN(err) ? null : err);
    Result<?> perOp = r.getSecondaryResults().get(S3ServerCpuProfiler.RESULT);
    Result<?> cores = r.getSecondaryResults().get(S3ServerCpuProfiler.CORES);
    if (perOp != null && cores != null) {
      x.details.put(S3ServerCpu.PER_OP, perOp.getScore());
      x.details.put(S3ServerCpu.CORES, List.of(cores.getScore()));
    }
    return x;
  }

  /** Operations in table order. */
  public static final List<String> OPS =
      List.of(
          "value.get",
          "value.update",
          "map.get",
          "map.put",
          "map.contains",
          "map.iterate",
          "list.add",
          "list.get",
          "list.update",
          "timer.register",
          "timer.fire");

  /** Key spaces in table order. */
  public static final List<String> KEY_SPACES = List.of("small", "large");

  /**
   * The backends of a run: those of {@link StateBackends#ALL} the harness's {@code --engines} name
   * ({@code rocksdb} there means Flink's RocksDB backend here), in that order.
   */
  public static List<String> backends(Set<String> engines) {
    List<String> b = new ArrayList<>(StateBackends.ALL);
    b.retainAll(engines);
    return b;
  }

  static List<String> list(String csv) {
    return Arrays.asList(csv.split(","));
  }
}
