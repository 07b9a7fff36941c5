package io.isledb.bench.flink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sizes and JMH settings of the flink-state benchmarks. They reach the JMH fork JVMs as system
 * properties ({@link #toJvmArgs()}, read back by {@link #fromSystemProperties()}).
 *
 * @param suite suite name (standard, quick, smoke)
 * @param slotMemoryBytes managed memory of the slot: RocksDB, ForSt and IsleDB size their write
 *     buffers and block cache from it
 * @param writeBufferBytes one memtable (write buffer) of RocksDB, ForSt and IsleDB
 * @param smallEntries state entries of the small key space (well inside the caches)
 * @param largeEntries state entries of the large key space (raw bytes about 10x the slot memory)
 * @param forks JMH forks per benchmark (0: in this JVM)
 * @param warmups warm-up iterations per fork
 * @param iterations measured iterations per fork
 * @param iterationMillis length of one iteration
 * @param work folder for the backends' files
 * @param s3aUri bucket URI of the S3 server for isle-s3a, or null
 * @param s3aConf Hadoop settings for that server
 */
public record StateSettings(
    String suite,
    long slotMemoryBytes,
    long writeBufferBytes,
    int smallEntries,
    int largeEntries,
    int forks,
    int warmups,
    int iterations,
    int iterationMillis,
    Path work,
    String s3aUri,
    Map<String, String> s3aConf) {

  /** Raw bytes of one state entry as the large key space is sized (key, value, prefixes). */
  static final int ENTRY_BYTES = 32;

  private static final String P = "isledb.bench.flink.";

  /** The settings of a suite; {@code quick} and {@code smoke} only prove the workloads run. */
  public static StateSettings named(String suite, Path work) {
    long slot = 4L << 20;
    int large = (int) (10 * slot / ENTRY_BYTES);
    return switch (suite) {
      case "standard" ->
          new StateSettings(
              suite, slot, 1L << 20, 1_000, large, 2, 2, 3, 1000, work, null, Map.of());
      case "quick" ->
          new StateSettings(suite, slot, 1L << 20, 200, 20_000, 0, 1, 1, 200, work, null, Map.of());
      case "smoke" ->
          new StateSettings(suite, slot, 1L << 20, 100, 1_000, 0, 0, 1, 20, work, null, Map.of());
      default -> throw new IllegalArgumentException("unknown flink-state suite " + suite);
    };
  }

  /** The same settings with isle-s3a's server. */
  public StateSettings withS3(String uri, Map<String, String> conf) {
    return new StateSettings(
        suite,
        slotMemoryBytes,
        writeBufferBytes,
        smallEntries,
        largeEntries,
        forks,
        warmups,
        iterations,
        iterationMillis,
        work,
        uri,
        new TreeMap<>(conf));
  }

  /** The key spaces the suite measures (the smoke run only the small one: it proves wiring). */
  public List<String> keySpaces() {
    return suite.equals("smoke") ? List.of("small") : List.of("small", "large");
  }

  /** The suite's settings as stated in the report. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("slot_managed_memory_MiB", slotMemoryBytes / (1024.0 * 1024));
    m.put("write_buffer_MiB", writeBufferBytes / (1024.0 * 1024));
    m.put("small_entries", smallEntries);
    m.put("large_entries", largeEntries);
    m.put("forks", forks);
    m.put("warmup_iterations", warmups);
    m.put("iterations", iterations);
    m.put("iteration_ms", iterationMillis);
    return m;
  }

  /** Entries of a key space: "small" or "large". */
  int entries(String keySpace) {
    return switch (keySpace) {
      case "small" -> smallEntries;
      case "large" -> largeEntries;
      default -> throw new IllegalArgumentException("unknown key space " + keySpace);
    };
  }

  /** {@code -D} arguments that carry these settings into a JVM. */
  List<String> toJvmArgs() {
    List<String> a = new ArrayList<>();
    a.add("-D" + P + "suite=" + suite);
    a.add("-D" + P + "slotMemory=" + slotMemoryBytes);
    a.add("-D" + P + "writeBuffer=" + writeBufferBytes);
    a.add("-D" + P + "small=" + smallEntries);
    a.add("-D" + P + "large=" + largeEntries);
    a.add("-D" + P + "work=" + work);
    if (s3aUri != null) {
      a.add("-D" + P + "s3aUri=" + s3aUri);
      for (Map.Entry<String, String> e : s3aConf.entrySet()) {
        a.add("-D" + P + "s3a." + e.getKey() + "=" + e.getValue());
      }
    }
    return a;
  }

  /** The settings a fork JVM was started with (JMH settings are not needed there). */
  static StateSettings fromSystemProperties() {
    Map<String, String> conf = new LinkedHashMap<>();
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith(P + "s3a.")) {
        conf.put(k.substring((P + "s3a.").length()), System.getProperty(k));
      }
    }
    String suite = System.getProperty(P + "suite");
    if (suite == null) {
      // A JMH fork that did not inherit the settings must not measure default sizes silently.
      throw new IllegalStateException("no " + P + "suite system property in this JVM");
    }
    return new StateSettings(
        suite,
        Long.getLong(P + "slotMemory", 4L << 20),
        Long.getLong(P + "writeBuffer", 1L << 20),
        Integer.getInteger(P + "small", 100),
        Integer.getInteger(P + "large", 1_000),
        0,
        0,
        0,
        0,
        Path.of(System.getProperty(P + "work", System.getProperty("java.io.tmpdir"))),
        System.getProperty(P + "s3aUri"),
        conf);
  }
}
