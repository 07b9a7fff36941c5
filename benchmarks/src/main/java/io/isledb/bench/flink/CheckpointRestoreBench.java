package io.isledb.bench.flink;

import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import io.isledb.flink.state.IsleStateBackendOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SharedStateRegistry;
import org.apache.flink.runtime.state.SharedStateRegistryImpl;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.util.FileUtils;
import org.apache.flink.util.concurrent.FutureUtils;

/**
 * The flink-restore group on one backend, the way a job drives it: a keyed operator at parallelism
 * 2 (key groups 0-63 and 64-127) writes {@link RestoreSettings#stateBytes()} of value and map state
 * and takes a full checkpoint; then, per run, 1% of the keys change and one checkpoint is timed
 * (synchronous part of both subtasks, then their asynchronous parts at once, as two task threads
 * would, to the completed handles). After that the subtasks go (a failure) and the state is
 * restored at the same parallelism (same job: a failover) and rescaled to 3 (a new job from the
 * retained checkpoint): new backends created through {@link StateBackend#createKeyedStateBackend}
 * with the handles Flink would give each (those whose key groups intersect the subtask's), timed
 * until every new subtask has served its first state access. Bytes read: for the isle backends the
 * backend's own request counters (gauges in group {@code isle}); for RocksDB and ForSt the sizes of
 * the checkpoint files their incremental restore downloads (every file of every handle it is
 * given), cross-checked with the bytes on local disk after the restore.
 */
final class CheckpointRestoreBench {
  static final long SEED = 20261201L;
  static final String GROUP = "flink-restore";

  private final RestoreSettings s;
  private final byte[] random = new byte[4 << 20];
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> daemon(r));

  CheckpointRestoreBench(RestoreSettings s) {
    this.s = s;
    new Random(SEED).nextBytes(random);
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "restore-bench");
    t.setDaemon(true);
    return t;
  }

  /** Runs the three benchmarks on backend {@code name}: checkpoint, restore, rescale-2-3. */
  List<Runs> run(String name) throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(s.work()), name + "-");
    Path tm = dir.resolve("tm");
    Path checkpoints = dir.resolve("checkpoints");
    Configuration conf = StateBackends.config(name, s.backendSettings(), tm);
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    StateBackend sb =
        StateBackendLoader.loadStateBackendFromConfig(conf, getClass().getClassLoader(), null);
    JobID job = new JobID();
    SharedStateRegistry registry = new SharedStateRegistryImpl();
    Runs ckpt = runs("checkpoint", name);
    List<KeyedStateHandle> last;
    try {
      List<Subtask> writers = new ArrayList<>();
      try {
        long opened = System.nanoTime();
        List<KeyGroupRange> ranges = Subtask.ranges(2);
        for (int i = 0; i < 2; i++) {
          writers.add(Subtask.open(sb, s, job, i, 2, ranges.get(i), List.of(), checkpoints));
        }
        long t0 = System.nanoTime();
        load(writers);
        ckpt.details.put("load_s", secs(System.nanoTime() - t0));
        ckpt.details.put("open_s", secs(t0 - opened));
        Checkpoint full = checkpoint(writers, 1, registry);
        ckpt.details.put("full_checkpoint_s", secs(full.nanos));
        ckpt.details.put("full_checkpoint_bytes", full.uploaded);
        List<Long> uploaded = new ArrayList<>();
        List<Map<String, Long>> requests = new ArrayList<>();
        last = full.handles;
        for (int r = 0; r < s.warmups() + s.runs(); r++) {
          change(writers, r);
          Checkpoint c = checkpoint(writers, r + 2, registry);
          last = c.handles;
          if (r >= s.warmups()) {
            ckpt.add(secs(c.nanos));
            // Up to the confirmation: the server's share of the checkpoint and its registration.
            S3ServerCpu.add(ckpt, c.serverCpuBefore);
            uploaded.add(c.uploaded);
            if (c.requests != null) {
              requests.add(c.requests);
            }
          }
        }
        ckpt.details.put("uploaded_bytes", uploaded);
        ckpt.details.put("changed_bytes", s.changedKeys() * RestoreSettings.CHANGED_KEY_BYTES);
        if (!requests.isEmpty()) {
          ckpt.details.put("requests", requests);
        }
      } finally {
        long t = System.nanoTime();
        closeAll(writers); // the failure: the old subtasks go
        ckpt.details.put("close_s", secs(System.nanoTime() - t));
      }
      Runs restore = runs("restore", name);
      Runs rescale = runs("rescale-2-3", name);
      for (int r = 0; r < s.warmups() + s.runs(); r++) {
        if (r == 0 && s.warmups() > 0) {
          // The first restore and rescale of this JVM, unmeasured in the medians (most of an isle
          // restore's code runs interpreted then), stated on their own: a task manager's first
          // restore is as cold.
          first(restore, restoreOnce(sb, job, 2, last, tm, checkpoints, probe()));
          first(rescale, restoreOnce(sb, new JobID(), 3, last, tm, checkpoints, probe()));
          continue;
        }
        restoreOnce(sb, job, 2, last, tm, checkpoints, r >= s.warmups() ? restore : null);
        restoreOnce(sb, new JobID(), 3, last, tm, checkpoints, r >= s.warmups() ? rescale : null);
      }
      if (name.startsWith("isle-")) {
        // The bytes above include what the compaction that starts at open read by the first
        // access (it rewrites the restored or borrowed tables in the background); one more
        // restore and rescale with compaction off give the restore's own reads.
        Configuration quiet = new Configuration(conf);
        quiet.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
        StateBackend q =
            StateBackendLoader.loadStateBackendFromConfig(quiet, getClass().getClassLoader(), null);
        List<KeyedStateHandle> h = last;
        compactionOff(restore, () -> restoreOnce(q, job, 2, h, tm, checkpoints, probe()));
        compactionOff(rescale, () -> restoreOnce(q, new JobID(), 3, h, tm, checkpoints, probe()));
      }
      return List.of(ckpt, restore, rescale);
    } finally {
      registry.close();
      FileUtils.deleteDirectoryQuietly(dir.toFile());
    }
  }

  private interface Probe {
    Runs run() throws Exception;
  }

  /** Runs one unmeasured restore with compaction off and keeps its time, bytes and requests. */
  private static void compactionOff(Runs into, Probe probe) throws Exception {
    Runs p = probe.run();
    into.details.put("compaction_off_s", p.runs.get(0));
    into.details.put("compaction_off_bytes_read", ((List<?>) p.details.get("bytes_read")).get(0));
    into.details.put("compaction_off_requests", ((List<?>) p.details.get("requests")).get(0));
  }

  /** Keeps the time of the first (cold) run {@code p} in {@code into}'s details. */
  private static void first(Runs into, Runs p) {
    into.details.put("first_s", p.runs.get(0));
  }

  private Runs probe() {
    return runs("probe", "probe");
  }

  void shutdown() {
    threads.shutdownNow();
  }

  private Runs runs(String workload, String backend) {
    Runs x = new Runs(workload, backend, "s");
    x.details.put("group", GROUP);
    return x;
  }

  // ------------------------------------------------------------------ state

  /** Writes every key's value and map entries into the subtask owning its key group. */
  private void load(List<Subtask> subtasks) throws Exception {
    List<ValueState<byte[]>> values = new ArrayList<>();
    List<MapState<Long, byte[]>> maps = new ArrayList<>();
    for (Subtask t : subtasks) {
      values.add(t.value());
      maps.add(t.map());
    }
    for (long k = 0; k < s.keys(); k++) {
      int i = subtaskOf(k, subtasks.size());
      subtasks.get(i).select(k);
      values.get(i).update(bytes(k, 0, RestoreSettings.VALUE_BYTES));
      for (long e = 0; e < RestoreSettings.MAP_ENTRIES; e++) {
        maps.get(i).put(e, bytes(k * 31 + e, 0, RestoreSettings.MAP_VALUE_BYTES));
      }
    }
  }

  /** Run {@code r}'s changes: 1% of the keys (seeded) get a new value and one new map entry. */
  private void change(List<Subtask> subtasks, int r) throws Exception {
    SplittableRandom rnd = new SplittableRandom(SEED + r);
    int version = r + 1;
    for (long c = 0; c < s.changedKeys(); c++) {
      long k = rnd.nextLong(s.keys());
      Subtask t = subtasks.get(subtaskOf(k, subtasks.size()));
      t.select(k);
      t.value().update(bytes(k, version, RestoreSettings.VALUE_BYTES));
      long e = r % RestoreSettings.MAP_ENTRIES;
      t.map().put(e, bytes(k * 31 + e, version, RestoreSettings.MAP_VALUE_BYTES));
    }
  }

  /** A value: half of it a slice of seeded random bytes chosen by key and version, half zeros. */
  private byte[] bytes(long key, int version, int size) {
    byte[] b = new byte[size];
    int span = random.length - size;
    int off = (int) Math.floorMod(key * 7919L + version * 104_729L, (long) span);
    System.arraycopy(random, off, b, 0, size / 2);
    return b;
  }

  static int subtaskOf(long key, int parallelism) {
    int kg = KeyGroupRangeAssignment.assignToKeyGroup(key, StateBackends.KEY_GROUPS);
    return KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(
        StateBackends.KEY_GROUPS, parallelism, kg);
  }

  // ------------------------------------------------------------------ checkpoints

  private record Checkpoint(
      long nanos,
      long uploaded,
      List<KeyedStateHandle> handles,
      Map<String, Long> requests,
      S3ServerCpu.Mark serverCpuBefore) {}

  private static final List<String> REQUEST_GAUGES =
      List.of("requests", "getRequests", "putRequests", "listRequests", "deleteRequests");

  /**
   * Checkpoint {@code id} of every subtask, timed from the first snapshot call to the last
   * completed handle; then registered as the JobManager does and confirmed to the backends.
   */
  private Checkpoint checkpoint(List<Subtask> subtasks, long id, SharedStateRegistry registry)
      throws Exception {
    Map<String, Long> before = requests(subtasks);
    S3ServerCpu.Mark cpu = S3ServerCpu.mark();
    long t0 = System.nanoTime();
    List<RunnableFuture<SnapshotResult<KeyedStateHandle>>> sync = new ArrayList<>();
    for (Subtask t : subtasks) {
      sync.add(t.snapshot(id));
    }
    List<Future<SnapshotResult<KeyedStateHandle>>> async = new ArrayList<>();
    for (RunnableFuture<SnapshotResult<KeyedStateHandle>> f : sync) {
      async.add(threads.submit(() -> FutureUtils.runIfNotDoneAndGet(f)));
    }
    List<KeyedStateHandle> handles = new ArrayList<>();
    for (Future<SnapshotResult<KeyedStateHandle>> f : async) {
      KeyedStateHandle h = f.get().getJobManagerOwnedSnapshot();
      if (h == null) {
        throw new IllegalStateException("checkpoint " + id + " of a subtask is empty");
      }
      handles.add(h);
    }
    long nanos = System.nanoTime() - t0;
    Map<String, Long> after = requests(subtasks);
    long uploaded = 0;
    for (KeyedStateHandle h : handles) {
      // Replaces RocksDB's placeholders for files uploaded before by the registered ones, so the
      // handles restore (the JobManager's job).
      h.registerSharedStates(registry, id);
      uploaded += h.getCheckpointedSize();
    }
    registry.checkpointCompleted(id);
    for (Subtask t : subtasks) {
      if (t.backend instanceof org.apache.flink.api.common.state.CheckpointListener l) {
        l.notifyCheckpointComplete(id); // RocksDB's next increment builds on confirmed files
      }
    }
    Map<String, Long> delta = null;
    if (before != null && after != null) {
      delta = new LinkedHashMap<>();
      for (String g : REQUEST_GAUGES) {
        delta.put(g, after.get(g) - before.get(g));
      }
    }
    return new Checkpoint(nanos, uploaded, handles, delta, cpu);
  }

  /** The isle request gauges summed over the subtasks, or null for a backend without them. */
  private static Map<String, Long> requests(List<Subtask> subtasks) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String g : REQUEST_GAUGES) {
      long sum = 0;
      for (Subtask t : subtasks) {
        long v = t.gauges.value("isle." + g);
        if (v < 0) {
          return null;
        }
        sum += v;
      }
      m.put(g, sum);
    }
    return m;
  }

  // ------------------------------------------------------------------ restore

  /**
   * Restores {@code handles} into {@code parallelism} new subtasks of {@code job} at once, each
   * given the handles that intersect its key groups, and records (into {@code out}, unless null: a
   * warm-up) the time until the last of them served its first state access and the bytes read.
   */
  private Runs restoreOnce(
      StateBackend sb,
      JobID job,
      int parallelism,
      List<KeyedStateHandle> handles,
      Path tm,
      Path checkpoints,
      Runs out)
      throws Exception {
    List<KeyGroupRange> ranges = Subtask.ranges(parallelism);
    List<Future<Subtask>> started = new ArrayList<>();
    long[] served = new long[parallelism];
    long[][] counters = new long[parallelism][];
    long handleBytes = 0;
    int handleCount = 0;
    S3ServerCpu.Mark cpu = S3ServerCpu.mark();
    long t0 = System.nanoTime();
    for (int i = 0; i < parallelism; i++) {
      int index = i;
      KeyGroupRange range = ranges.get(i);
      List<KeyedStateHandle> given = new ArrayList<>();
      for (KeyedStateHandle h : handles) {
        KeyedStateHandle x = h.getIntersection(range);
        if (x != null) {
          given.add(x);
          handleBytes += x.getStateSize();
          handleCount++;
        }
      }
      long key = firstKeyIn(range);
      started.add(
          threads.submit(
              () -> {
                Subtask t = Subtask.open(sb, s, job, index, parallelism, range, given, checkpoints);
                t.select(key);
                if (t.value().value() == null) {
                  t.close();
                  throw new IllegalStateException(
                      "key " + key + " has no value after the restore of " + range);
                }
                served[index] = System.nanoTime();
                counters[index] =
                    new long[] {t.gauges.value("isle.bytesRead"), t.gauges.value("isle.requests")};
                return t;
              }));
    }
    List<Subtask> restored = new ArrayList<>();
    Exception failed = null;
    for (Future<Subtask> f : started) {
      try {
        restored.add(f.get());
      } catch (java.util.concurrent.ExecutionException e) {
        failed = failed == null ? e : failed;
      }
    }
    try {
      if (failed != null) {
        throw failed;
      }
      if (out != null) {
        long end = 0;
        for (long x : served) {
          end = Math.max(end, x);
        }
        out.add(secs(end - t0));
        S3ServerCpu.add(out, cpu);
        long bytesRead = 0;
        long requests = 0;
        for (long[] c : counters) {
          bytesRead += c[0];
          requests += c[1];
        }
        if (counters[0][0] >= 0) {
          append(out, "bytes_read", bytesRead);
          append(out, "requests", requests);
        } else {
          append(out, "bytes_read", handleBytes); // the files the incremental restore downloads
          append(out, "local_bytes_after", localBytes(tm));
        }
        out.details.put("handles_given", handleCount);
      }
    } finally {
      long t = System.nanoTime();
      closeAll(restored);
      if (out != null) {
        append(out, "close_ms", (System.nanoTime() - t) / 1_000_000);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void append(Runs out, String key, long v) {
    ((List<Long>) out.details.computeIfAbsent(key, k -> new ArrayList<Long>())).add(v);
  }

  /** The smallest key whose key group lies in {@code range} (every key below keys() exists). */
  private long firstKeyIn(KeyGroupRange range) {
    for (long k = 0; k < s.keys(); k++) {
      if (range.contains(KeyGroupRangeAssignment.assignToKeyGroup(k, StateBackends.KEY_GROUPS))) {
        return k;
      }
    }
    throw new IllegalStateException("no key of " + s.keys() + " falls in " + range);
  }

  private static long localBytes(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(CheckpointRestoreBench::size).sum();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return 0; // deleted while walking (a backend's temporary file)
    }
  }

  private static void closeAll(List<Subtask> subtasks) throws Exception {
    Exception first = null;
    for (Subtask t : subtasks) {
      try {
        t.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  static double secs(long nanos) {
    return nanos / 1e9;
  }
}
