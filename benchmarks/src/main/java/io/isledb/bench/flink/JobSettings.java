package io.isledb.bench.flink;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sizes and timings of the flink-job group. They reach the child JVM as a JSON file ({@link
 * FlinkJobSuite}).
 *
 * @param suite suite name (standard, quick, smoke)
 * @param parallelism parallelism of every operator (one task manager with that many slots)
 * @param slotMemoryBytes managed memory of one slot: RocksDB, ForSt and IsleDB size their write
 *     buffers and block cache from it
 * @param writeBufferBytes one memtable (write buffer) of RocksDB, ForSt and IsleDB
 * @param windowKeys key space of the window job
 * @param joinKeys key space of the join job (each side)
 * @param windowMillis length of the tumbling processing-time window
 * @param checkpointMillis checkpoint interval
 * @param warmupMillis unmeasured time after the job's first record
 * @param runs measured windows (runs) per job, one after the other
 * @param runMillis length of one measured window
 * @param idleRecords records per source the idle job writes before it goes idle
 * @param idleMillis measured idle interval (figures are scaled to a minute)
 * @param seed seed of the event generators
 * @param work folder for the backends' files and checkpoints
 * @param s3aUri bucket URI of the S3 server for isle-s3a, or null
 * @param s3aConf Hadoop settings for that server
 */
public record JobSettings(
    String suite,
    int parallelism,
    long slotMemoryBytes,
    long writeBufferBytes,
    int windowKeys,
    int joinKeys,
    long windowMillis,
    long checkpointMillis,
    long warmupMillis,
    int runs,
    long runMillis,
    int idleRecords,
    long idleMillis,
    long seed,
    String work,
    String s3aUri,
    Map<String, String> s3aConf) {

  /**
   * The settings of a suite. The standard suite checkpoints every 10 s (the goal's setting); quick
   * and smoke checkpoint every second so that their few seconds still include checkpoints, and only
   * prove that the jobs run.
   */
  public static JobSettings named(String suite, String work, long seed) {
    long slot = 4L << 20;
    long wb = 1L << 20;
    return switch (suite) {
      case "standard" ->
          new JobSettings(
              suite, 2, slot, wb, 1_000_000, 1_000_000, 10_000, 10_000, 30_000, 3, 20_000, 100_000,
              60_000, seed, work, null, Map.of());
      // Quick: each measured run spans two whole windows and the warm-up includes the first
      // firing. With runs as long as a window, a run could fall almost entirely into the firing of
      // 100,000 timers per subtask (records wait meanwhile): 0-171 records/s against 8,000 in the
      // next run of the same job, on either backend.
      case "quick" ->
          new JobSettings(
              suite, 2, slot, wb, 200_000, 200_000, 2_000, 1_000, 4_000, 3, 4_000, 10_000, 5_000,
              seed, work, null, Map.of());
      case "smoke" ->
          new JobSettings(
              suite, 2, slot, wb, 10_000, 10_000, 500, 500, 500, 1, 700, 1_000, 1_500, seed, work,
              null, Map.of());
      default -> throw new IllegalArgumentException("unknown flink-job suite " + suite);
    };
  }

  /** The same settings with isle-s3a's server. */
  public JobSettings withS3(String uri, Map<String, String> conf) {
    return new JobSettings(
        suite,
        parallelism,
        slotMemoryBytes,
        writeBufferBytes,
        windowKeys,
        joinKeys,
        windowMillis,
        checkpointMillis,
        warmupMillis,
        runs,
        runMillis,
        idleRecords,
        idleMillis,
        seed,
        work,
        uri,
        new TreeMap<>(conf));
  }

  /** The state backend settings the flink-state group would use with the same memory. */
  StateSettings stateSettings() {
    return new StateSettings(
        suite,
        slotMemoryBytes,
        writeBufferBytes,
        0,
        0,
        0,
        0,
        0,
        0,
        java.nio.file.Path.of(work),
        s3aUri,
        s3aConf == null ? Map.of() : s3aConf);
  }

  /** The settings as stated in the report (no S3 credentials). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("parallelism", parallelism);
    m.put("slot_managed_memory_MiB", slotMemoryBytes / (1024.0 * 1024));
    m.put("write_buffer_MiB", writeBufferBytes / (1024.0 * 1024));
    m.put("window_keys", windowKeys);
    m.put("join_keys_per_side", joinKeys);
    m.put("window_ms", windowMillis);
    m.put("checkpoint_interval_ms", checkpointMillis);
    m.put("warmup_ms", warmupMillis);
    m.put("runs", runs);
    m.put("run_ms", runMillis);
    m.put("idle_records_per_source", idleRecords);
    m.put("idle_ms", idleMillis);
    m.put("seed", seed);
    return m;
  }
}
