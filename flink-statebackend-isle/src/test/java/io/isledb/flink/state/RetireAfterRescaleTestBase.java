package io.isledb.flink.state;

import static io.isledb.flink.state.RescaleByForkTest.keyGroup;
import static io.isledb.flink.state.RescaleByForkTest.put;
import static io.isledb.flink.state.RescaleByForkTest.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.CheckpointType;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The old subtasks' databases after a rescale 2 -> 3 by fork, on the store of the subclass ({@code
 * file://}, s3a:// against the real S3 server), with compaction, GC and the discard of subsumed
 * checkpoints driven by the test (a test clock for the GC the new backends run on the old
 * databases): after a claimed restore (the first completed checkpoint is a regular one) each old
 * database is retired by the new subtask holding its first key group, once, also by a restored
 * attempt of that subtask; it is deleted whole once its checkpoints are discarded and the forks' GC
 * released their pins; every key reads per the model throughout. After an unclaimed restore
 * (NO_CLAIM: the first checkpoint is a full one) and from a native savepoint, nothing is retired
 * and the old databases stay whole. Every restore by fork costs a few small requests per source
 * database.
 */
abstract class RetireAfterRescaleTestBase {
  private static final Duration GRACE = IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue();
  private static final int KEYS = 300;
  private static final List<KeyGroupRange> OLD =
      List.of(KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127));
  private static final List<KeyGroupRange> NEW =
      List.of(KeyGroupRange.of(0, 42), KeyGroupRange.of(43, 85), KeyGroupRange.of(86, 127));
  private static final CheckpointOptions FULL =
      new CheckpointOptions(
          CheckpointType.FULL_CHECKPOINT, CheckpointStorageLocationReference.getDefault());

  private static final CheckpointOptions NATIVE_SAVEPOINT =
      new CheckpointOptions(
          SavepointType.savepoint(SavepointFormatType.NATIVE),
          CheckpointStorageLocationReference.getDefault());

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Map<Integer, String> model = new TreeMap<>();
  private ObjectStore root;

  /** A kit whose backends keep their databases on the store under test, quiet (no maintenance). */
  protected abstract BackendTestKit kit() throws Exception;

  /** Checkpoints each old subtask takes (every one discarded after the claim). */
  protected int oldRounds() {
    return 3;
  }

  /** What the JobManager does with a subsumed checkpoint: remove its pin. */
  protected abstract void discard(KeyedStateHandle handle) throws Exception;

  @BeforeEach
  void hooks() {
    TestHooks.sourceGcClock = clock;
  }

  @AfterEach
  void resetHooks() {
    TestHooks.reset();
    if (root != null) {
      root.close();
    }
  }

  @Test
  void claimedRescaleRetiresAndDeletesTheOldDatabasesWhole() throws Exception {
    try (BackendTestKit kit = kit()) {
      List<List<KeyedStateHandle>> old = writeOld(kit);
      List<IsleCheckpoint> sources = latest(old);
      List<IsleKeyedStateBackend<Integer>> parts = restore(kit, lastHandles(old));
      assertThat(parts.get(0).retirement().pending()).containsExactly(sources.get(0).getPrefix());
      assertThat(parts.get(1).retirement().pending()).containsExactly(sources.get(1).getPrefix());
      assertThat(parts.get(2).retirement().pending()).isEmpty();

      // The first checkpoint of the new subtasks is a regular one: the restore was claimed.
      List<KeyedStateHandle> first = checkpoint(parts, 10, true);
      for (IsleCheckpoint s : sources) {
        assertRetired(s);
      }
      assertReads(parts);

      // Subtask 0 takes a native savepoint (after the claim it changes nothing) and one more
      // checkpoint, fails and is restored from that checkpoint: the restored attempt carries on.
      KeyedStateHandle savepoint = snapshot(parts.get(0), 11, NATIVE_SAVEPOINT);
      KeyedStateHandle latest0 = checkpoint(parts.subList(0, 1), 12, true).get(0);
      parts.get(0).dispose();
      parts.set(0, kit.create(IntSerializer.INSTANCE, NEW.get(0), List.of(latest0)));
      assertThat(parts.get(0).retirement().claimed()).isTrue();
      assertThat(parts.get(0).retirement().pending()).containsExactly(sources.get(0).getPrefix());
      assertReads(parts);

      // Still borrowed and still checkpointed: the retired databases' GC keeps them whole.
      passes(parts);
      for (IsleCheckpoint s : sources) {
        assertThat(objects(s)).as("objects of %s while pinned", s).isPositive();
      }

      // The new databases rewrite what they borrowed, checkpoint again (subsuming the earlier
      // ones); Flink
      // discards the subsumed checkpoints (the old job's too: claimed); their GC releases the
      // fork pins.
      for (IsleKeyedStateBackend<Integer> p : parts) {
        compactFully(p.db());
      }
      List<KeyedStateHandle> second = checkpoint(parts, 20, true);
      discardAll(first);
      discard(latest0);
      discard(savepoint); // the user disposes of the savepoint, which pinned borrowed tables
      for (List<KeyedStateHandle> hs : old) {
        discardAll(hs);
      }
      for (IsleKeyedStateBackend<Integer> p : parts) {
        collectOwn(p);
      }
      for (IsleCheckpoint s : sources) {
        assertThat(pins(s)).as("pins left on %s", s).isEmpty();
      }
      assertReads(parts);

      // The new subtasks' GC passes on the old databases: seen unpinned, deleted a grace later.
      passes(parts);
      clock.advance(GRACE.plusSeconds(1));
      passes(parts);
      for (IsleCheckpoint s : sources) {
        assertThat(objects(s)).as("objects left of the retired %s", s).isZero();
      }
      assertReads(parts);
      List<KeyedStateHandle> third = checkpoint(parts, 21, true);
      for (IsleKeyedStateBackend<Integer> p : parts) {
        assertThat(p.retirement().pending()).as("sources left of %s", p.db().prefix()).isEmpty();
      }

      // Restored attempts of every new subtask read everything; nothing is retired again.
      List<IsleKeyedStateBackend<Integer>> restored = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        parts.get(i).dispose();
        restored.add(kit.create(IntSerializer.INSTANCE, NEW.get(i), List.of(third.get(i))));
        assertThat(restored.get(i).retirement().pending()).isEmpty();
      }
      assertReads(restored);
      for (IsleCheckpoint s : sources) {
        assertThat(objects(s)).as("objects of %s after the restores", s).isZero();
      }
      restored.forEach(IsleKeyedStateBackend::dispose);
    }
  }

  @Test
  void unclaimedRescaleAndSavepointsLeaveTheOldDatabasesIntact() throws Exception {
    try (BackendTestKit kit = kit()) {
      List<List<KeyedStateHandle>> old = writeOld(kit);
      List<IsleCheckpoint> sources = latest(old);

      // NO_CLAIM: the JobManager's first checkpoint after the restore is a full one.
      List<IsleKeyedStateBackend<Integer>> parts = restore(kit, lastHandles(old));
      checkpoint(parts, 10, false);
      checkpoint(parts, 11, true);
      for (IsleKeyedStateBackend<Integer> p : parts) {
        assertThat(p.retirement().claimed()).isFalse();
        assertThat(p.retirement().pending()).isEmpty();
      }
      passes(parts);
      clock.advance(GRACE.plusSeconds(1));
      passes(parts);
      for (IsleCheckpoint s : sources) {
        assertNotRetired(s);
      }
      assertReads(parts);
      parts.forEach(IsleKeyedStateBackend::dispose);

      // A native savepoint of a running job: its pin is not a checkpoint's, so a claimed restore
      // from it retires nothing.
      IsleKeyedStateBackend<Integer> running = kit.create(IntSerializer.INSTANCE);
      put(running, 1, valueOf(1));
      KeyedStateHandle sp = snapshot(running, 20, NATIVE_SAVEPOINT);
      assertThat(IsleCheckpoint.of(sp).orElseThrow().getPinName()).startsWith("svp-");
      IsleKeyedStateBackend<Integer> fromSavepoint =
          kit.create(IntSerializer.INSTANCE, NEW.get(0), List.of(sp.getIntersection(NEW.get(0))));
      assertThat(fromSavepoint.retirement().pending()).isEmpty();
      fromSavepoint.dispose();
      put(running, 2, valueOf(2)); // the savepoint's job writes on
      BackendTestKit.snapshot(running, 21);
      running.dispose();
    }
  }

  /**
   * Two old subtasks write {@link #KEYS} keys over {@link #oldRounds} checkpoints; returns their
   * handles.
   */
  private List<List<KeyedStateHandle>> writeOld(BackendTestKit kit) throws Exception {
    List<List<KeyedStateHandle>> handles = new ArrayList<>();
    for (KeyGroupRange r : OLD) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, r, List.of());
      List<KeyedStateHandle> hs = new ArrayList<>();
      int rounds = oldRounds();
      for (int round = 0; round < rounds; round++) {
        for (int k = round; k < KEYS; k += rounds) {
          if (r.contains(keyGroup(k))) {
            put(b, k, valueOf(k));
            model.put(k, valueOf(k));
          }
        }
        hs.add(BackendTestKit.snapshot(b, round + 1));
      }
      b.dispose();
      handles.add(hs);
    }
    return handles;
  }

  private static List<KeyedStateHandle> lastHandles(List<List<KeyedStateHandle>> old) {
    List<KeyedStateHandle> out = new ArrayList<>();
    old.forEach(hs -> out.add(hs.get(hs.size() - 1)));
    return out;
  }

  private static List<IsleCheckpoint> latest(List<List<KeyedStateHandle>> old) throws Exception {
    List<IsleCheckpoint> out = new ArrayList<>();
    for (KeyedStateHandle h : lastHandles(old)) {
      out.add(IsleCheckpoint.of(h).orElseThrow());
    }
    return out;
  }

  /** The new subtasks, each restored from the old handles' parts that overlap its range. */
  private List<IsleKeyedStateBackend<Integer>> restore(
      BackendTestKit kit, List<KeyedStateHandle> handles) throws Exception {
    List<IsleKeyedStateBackend<Integer>> parts = new ArrayList<>();
    for (KeyGroupRange r : NEW) {
      List<KeyedStateHandle> mine = new ArrayList<>();
      for (KeyedStateHandle h : handles) {
        KeyedStateHandle part = h.getIntersection(r);
        if (part != null) {
          mine.add(part);
        }
      }
      IsleKeyedStateBackend<Integer> part = kit.create(IntSerializer.INSTANCE, r, mine);
      // Small requests per source database, whatever the state's size (RescaleByForkTest).
      RequestStats restore = part.db().stats();
      assertThat(restore.total())
          .as("requests of the restore of %s from %s sources: %s", r, mine.size(), restore)
          .isLessThanOrEqualTo(10 + 40L * mine.size());
      assertThat(restore.bytesRead())
          .as("bytes read by the restore of %s: %s", r, restore)
          .isLessThan(mine.size() * RescaleByForkTest.PER_SOURCE);
      parts.add(part);
    }
    return parts;
  }

  /** One change per subtask, then checkpoint {@code id} of every subtask, confirmed complete. */
  private List<KeyedStateHandle> checkpoint(
      List<IsleKeyedStateBackend<Integer>> parts, long id, boolean regular) throws Exception {
    List<KeyedStateHandle> out = new ArrayList<>();
    for (IsleKeyedStateBackend<Integer> p : parts) {
      int k = OldDatabases.firstKeyOf(p.getKeyGroupRange());
      put(p, k, "v" + id + "-" + k);
      model.put(k, "v" + id + "-" + k);
      out.add(
          snapshot(p, id, regular ? CheckpointOptions.forCheckpointWithDefaultLocation() : FULL));
    }
    for (IsleKeyedStateBackend<Integer> p : parts) {
      p.notifyCheckpointComplete(id);
    }
    return out;
  }

  private static KeyedStateHandle snapshot(
      IsleKeyedStateBackend<?> b, long id, CheckpointOptions options) throws Exception {
    RunnableFuture<SnapshotResult<KeyedStateHandle>> f = b.snapshot(id, id, null, options);
    f.run();
    return f.get().getJobManagerOwnedSnapshot();
  }

  private static void passes(List<IsleKeyedStateBackend<Integer>> parts) {
    parts.forEach(p -> p.retirement().runPassesNow());
  }

  private void discardAll(List<KeyedStateHandle> handles) throws Exception {
    for (KeyedStateHandle h : handles) {
      discard(h);
    }
  }

  private void assertReads(List<IsleKeyedStateBackend<Integer>> parts) throws Exception {
    ForkOwnershipTest.assertReads(parts, model);
  }

  private static DBOptions dbOptions() {
    return DBOptions.defaults().withGcGracePeriod(GRACE).withLogRetention(Duration.ZERO);
  }

  /**
   * The store of the database of {@code c}: a sibling of one store the test opens once (an S3A
   * FileSystem per helper call would cost seconds each).
   */
  protected final ObjectStore store(IsleCheckpoint c) {
    if (root == null) {
      root = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
    }
    return root.sibling(c.getPrefix());
  }

  private ObjectStore store(StateDb db) {
    return root.sibling(db.prefix());
  }

  private void assertRetired(IsleCheckpoint s) {
    OldDatabases.assertRetired(store(s), dbOptions(), s);
  }

  /** The old database keeps its checkpoint pins and tables, and still takes a writer. */
  private void assertNotRetired(IsleCheckpoint s) {
    assertThat(pins(s)).extracting(PinInfo::name).contains(s.getPinName());
    assertThat(objects(s)).isPositive();
    try (IsleDB db = IsleDB.open(store(s), dbOptions());
        Writer w = db.openWriter(WriterOptions.defaults())) {
      assertThat(w).isNotNull();
    }
  }

  private List<PinInfo> pins(IsleCheckpoint s) {
    return OldDatabases.pins(store(s), dbOptions());
  }

  private int objects(IsleCheckpoint s) {
    return OldDatabases.objects(store(s));
  }

  private void compactFully(StateDb state) {
    OldDatabases.compactFully(store(state), dbOptions());
  }

  /** The own GC of a live backend's database; its writer commits once between the passes. */
  private void collectOwn(IsleKeyedStateBackend<Integer> p) {
    OldDatabases.collectOwn(
        store(p.db()),
        dbOptions(),
        clock.millis(),
        GRACE,
        () -> {
          int k = OldDatabases.commitOnce(p, key -> "gc-" + key);
          model.put(k, "gc-" + k);
        });
  }
}
