package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flink-restore group: checkpoint duration and bytes uploaded with 1% of the keys changed,
 * restore at the same parallelism and rescale 2 to 3 ({@link CheckpointRestoreBench}), for the isle
 * backends of the harness's engines, RocksDB (incremental checkpoints) and ForSt, each with its
 * checkpoint storage on file://. Runs in a child JVM for the reason {@link FlinkStateSuite} gives
 * (frocksdbjni against rocksdbjni), with the same JVM options, one backend after the other.
 */
public final class FlinkRestoreSuite {
  /** Backends the group measures (hashmap has no incremental checkpoints: left out). */
  public static final List<String> BACKENDS = List.of("isle-file", "isle-s3a", "rocksdb", "forst");

  private FlinkRestoreSuite() {}

  /** The backends of a run: the peers always, the isle ones the harness's engines name. */
  public static List<String> backends(Set<String> engines) {
    List<String> b = new ArrayList<>();
    for (String e : BACKENDS) {
      if (!e.startsWith("isle-") || engines.contains(e)) {
        b.add(e);
      }
    }
    return b;
  }

  /**
   * Runs the group for {@code backends} in a child JVM and returns one {@link Runs} per benchmark
   * and backend; the child's output goes to this process's standard output.
   */
  public static List<Runs> run(RestoreSettings s, Collection<String> backends) throws Exception {
    return ChildJvm.run(
        "flink-restore",
        s.work(),
        s.toJvmArgs(),
        FlinkRestoreSuite.class,
        out -> List.of(out.toString(), String.join(",", backends)));
  }

  /**
   * The group as the harness runs it: adds its results to {@code all} and returns the settings,
   * backends and versions the report states.
   */
  public static Map<String, Object> runForHarness(
      String suite,
      Path work,
      String s3aUri,
      Map<String, String> s3aConf,
      Set<String> engines,
      List<Runs> all)
      throws Exception {
    RestoreSettings s = RestoreSettings.named(suite, work);
    if (s3aUri != null) {
      s = s.withS3(s3aUri, s3aConf);
    }
    List<String> backends = backends(engines);
    all.addAll(run(s, backends));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("versions", FlinkStateSuite.versions());
    m.put("settings", s.describe());
    m.put("backends", backends);
    m.put("jvm_options", FlinkStateSuite.JVM_OPTIONS);
    m.put("load_average_end", loadAverage());
    return m;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /**
   * The child JVM: {@code OUT BACKENDS}; writes the results as a JSON list of {@link Runs#toMap()}.
   */
  public static void main(String[] args) throws Exception {
    Class<?> rocks = Class.forName("org.rocksdb.RocksDB");
    String from = String.valueOf(rocks.getProtectionDomain().getCodeSource().getLocation());
    if (!from.contains("frocksdbjni")) {
      throw new IllegalStateException("org.rocksdb must come from frocksdbjni here, not " + from);
    }
    RestoreSettings s = RestoreSettings.fromSystemProperties();
    CheckpointRestoreBench bench = new CheckpointRestoreBench(s);
    List<Map<String, Object>> out = new ArrayList<>();
    try {
      for (String backend : args[1].split(",")) {
        long t0 = System.nanoTime();
        System.out.println("flink-restore: " + backend + ", " + s.describe());
        for (Runs r : bench.run(backend)) {
          System.out.println("  " + r.workload + " " + r.engine + " " + r.runs + " s " + r.details);
          out.add(r.toMap());
        }
        System.out.printf(
            "flink-restore: %s took %.1f s%n", backend, (System.nanoTime() - t0) / 1e9);
      }
    } finally {
      bench.shutdown();
    }
    new ObjectMapper().writeValue(Path.of(args[0]).toFile(), out);
    System.exit(0); // backends' non-daemon threads (Flink's, ForSt's) must not keep the JVM alive
  }
}
