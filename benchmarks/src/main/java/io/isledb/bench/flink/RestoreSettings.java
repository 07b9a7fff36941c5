package io.isledb.bench.flink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sizes of the flink-restore group ({@link CheckpointRestoreBench}). They reach its child JVM as
 * system properties ({@link #toJvmArgs()}, read back by {@link #fromSystemProperties()}).
 *
 * @param suite suite name (standard, quick, smoke)
 * @param stateBytes raw bytes of keyed state (keys, values, map keys) over both subtasks
 * @param slotMemoryBytes managed memory of each subtask's slot
 * @param writeBufferBytes one memtable (write buffer) of RocksDB, ForSt and IsleDB
 * @param warmups unmeasured runs of each benchmark before the measured ones
 * @param runs measured runs of each benchmark
 * @param work folder for the backends' files and checkpoints
 * @param s3aUri bucket URI of the S3 server for isle-s3a, or null
 * @param s3aConf Hadoop settings for that server
 */
public record RestoreSettings(
    String suite,
    long stateBytes,
    long slotMemoryBytes,
    long writeBufferBytes,
    int warmups,
    int runs,
    Path work,
    String s3aUri,
    Map<String, String> s3aConf) {

  /** Bytes of one value state value (half random, half zeros: compresses about 2:1). */
  static final int VALUE_BYTES = 200;

  /** Entries of each key's map state. */
  static final int MAP_ENTRIES = 4;

  /** Bytes of one map state value. */
  static final int MAP_VALUE_BYTES = 100;

  /** Raw bytes a key-group-prefixed key and namespace add to each entry (2 + 8 + 1). */
  static final int ENTRY_OVERHEAD = 11;

  /** Raw bytes of one key's state: its value entry and its map entries (Long map keys). */
  static final int KEY_BYTES =
      ENTRY_OVERHEAD + VALUE_BYTES + MAP_ENTRIES * (ENTRY_OVERHEAD + 8 + MAP_VALUE_BYTES);

  /** Raw bytes one changed key rewrites: its value and one map entry. */
  static final int CHANGED_KEY_BYTES = ENTRY_OVERHEAD + VALUE_BYTES + ENTRY_OVERHEAD + 8 + 100;

  /** Fraction of the keys changed between two checkpoints. */
  static final double CHANGED_FRACTION = 0.01;

  private static final String P = "isledb.bench.flink-restore.";

  /**
   * The settings of a suite. The state size of the standard suite (1 GiB) can be overridden with
   * {@code -Disledb.bench.flink-restore.mib=N} on the harness's JVM (e.g. 128 on a small machine).
   */
  public static RestoreSettings named(String suite, Path work) {
    long mib = Long.getLong(P + "mib", -1);
    RestoreSettings s =
        switch (suite) {
          case "standard" ->
              // Three warm-ups: an isle restore of 1 GiB takes tens of milliseconds, most of them
              // interpreted code in a JVM's first restores (the first is reported on its own).
              new RestoreSettings(
                  suite, 1L << 30, 256L << 20, 16L << 20, 3, 5, work, null, Map.of());
          case "quick" ->
              new RestoreSettings(
                  suite, 16L << 20, 64L << 20, 4L << 20, 1, 2, work, null, Map.of());
          case "smoke" ->
              new RestoreSettings(suite, 1L << 20, 32L << 20, 1L << 20, 0, 1, work, null, Map.of());
          default -> throw new IllegalArgumentException("unknown flink-restore suite " + suite);
        };
    return mib > 0 ? s.withStateBytes(mib << 20) : s;
  }

  RestoreSettings withStateBytes(long bytes) {
    return new RestoreSettings(
        suite, bytes, slotMemoryBytes, writeBufferBytes, warmups, runs, work, s3aUri, s3aConf);
  }

  /** The same settings with isle-s3a's server. */
  public RestoreSettings withS3(String uri, Map<String, String> conf) {
    return new RestoreSettings(
        suite,
        stateBytes,
        slotMemoryBytes,
        writeBufferBytes,
        warmups,
        runs,
        work,
        uri,
        new TreeMap<>(conf));
  }

  /** Keys of the state (over both subtasks). */
  long keys() {
    return Math.max(100, stateBytes / KEY_BYTES);
  }

  /** Keys changed between two checkpoints. */
  long changedKeys() {
    return Math.max(1, Math.round(keys() * CHANGED_FRACTION));
  }

  /** The settings the state backends are configured from (slot memory, write buffer, S3). */
  StateSettings backendSettings() {
    return new StateSettings(
        suite, slotMemoryBytes, writeBufferBytes, 0, 0, 0, 0, 0, 0, work, s3aUri, s3aConf);
  }

  /** The suite's settings as stated in the report. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("state_MiB", stateBytes / (1024.0 * 1024));
    m.put("keys", keys());
    m.put("key_groups", StateBackends.KEY_GROUPS);
    m.put(
        "state_per_key",
        "ValueState<byte["
            + VALUE_BYTES
            + "]> + MapState<Long, byte["
            + MAP_VALUE_BYTES
            + "]> of "
            + MAP_ENTRIES
            + " entries (values half random)");
    m.put("changed_keys_per_checkpoint", changedKeys());
    m.put("slot_managed_memory_MiB", slotMemoryBytes / (1024.0 * 1024));
    m.put("write_buffer_MiB", writeBufferBytes / (1024.0 * 1024));
    m.put("warmup_runs", warmups);
    m.put("runs", runs);
    return m;
  }

  /** {@code -D} arguments that carry these settings into a JVM. */
  List<String> toJvmArgs() {
    List<String> a = new ArrayList<>();
    a.add("-D" + P + "suite=" + suite);
    a.add("-D" + P + "stateBytes=" + stateBytes);
    a.add("-D" + P + "slotMemory=" + slotMemoryBytes);
    a.add("-D" + P + "writeBuffer=" + writeBufferBytes);
    a.add("-D" + P + "warmups=" + warmups);
    a.add("-D" + P + "runs=" + runs);
    a.add("-D" + P + "work=" + work);
    if (s3aUri != null) {
      a.add("-D" + P + "s3aUri=" + s3aUri);
      for (Map.Entry<String, String> e : s3aConf.entrySet()) {
        a.add("-D" + P + "s3a." + e.getKey() + "=" + e.getValue());
      }
    }
    return a;
  }

  /** The settings the child JVM was started with. */
  static RestoreSettings fromSystemProperties() {
    String suite = System.getProperty(P + "suite");
    if (suite == null) {
      throw new IllegalStateException("no " + P + "suite system property in this JVM");
    }
    Map<String, String> conf = new LinkedHashMap<>();
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith(P + "s3a.")) {
        conf.put(k.substring((P + "s3a.").length()), System.getProperty(k));
      }
    }
    return new RestoreSettings(
        suite,
        Long.getLong(P + "stateBytes"),
        Long.getLong(P + "slotMemory"),
        Long.getLong(P + "writeBuffer"),
        Integer.getInteger(P + "warmups"),
        Integer.getInteger(P + "runs"),
        Path.of(System.getProperty(P + "work")),
        System.getProperty(P + "s3aUri"),
        conf);
  }
}
