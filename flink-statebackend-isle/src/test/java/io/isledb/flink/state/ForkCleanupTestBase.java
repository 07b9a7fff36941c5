package io.isledb.flink.state;

import static io.isledb.flink.state.RescaleByForkTest.keyGroup;
import static io.isledb.flink.state.RescaleByForkTest.put;
import static io.isledb.flink.state.RescaleByForkTest.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two ways old databases used to outlive a rescale by fork, on the store of the subclass, with
 * compaction, GC and Flink's discards driven by the test (a test clock for the GC the backends run
 * on the databases they delete): an <b>abandoned fork</b> (the attempt that forked failed before a
 * checkpoint of it completed, and the job restored the old checkpoint again into new forks) is
 * found at the first completed checkpoint of the new attempt, retired, unpinned and deleted whole,
 * after which the old databases go too, also when the cleanup is killed at each of its steps; and a
 * <b>chain</b> of rescales (2 → 3 → 2, the second before the first one's old databases were
 * deleted) hands the first generation's old databases and abandoned forks on to the second. A model
 * of every key's state reads right throughout (docs/flink-statebackend.md "Abandoned forks and
 * chains").
 */
abstract class ForkCleanupTestBase {
  private static final Duration GRACE = IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue();
  private static final int KEYS = 120;
  private static final List<KeyGroupRange> OLD =
      List.of(KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127));
  private static final List<KeyGroupRange> THREE =
      List.of(KeyGroupRange.of(0, 42), KeyGroupRange.of(43, 85), KeyGroupRange.of(86, 127));
  private static final List<KeyGroupRange> TWO =
      List.of(KeyGroupRange.of(0, 50), KeyGroupRange.of(51, 127));

  /** A crash: thrown by a store hook, caught by no engine code. */
  static final class Killed extends Error {
    Killed() {
      super("killed", null, false, false);
    }
  }

  /** A step of the cleanup to crash at: the first request {@code op} on a name with the prefix. */
  private record Step(Op op, String name, Kind on) {}

  private enum Kind {
    OLD,
    ABANDONED,
    ANY
  }

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Map<Integer, String> model = new TreeMap<>();
  private final Set<String> oldPrefixes = new TreeSet<>();
  private final Set<String> abandonedPrefixes = new TreeSet<>();
  private final List<Step> fired = new ArrayList<>();
  private volatile Step armed;
  private ObjectStore root;

  /** A kit whose backends keep their databases on the store under test, quiet (no maintenance). */
  protected abstract BackendTestKit kit() throws Exception;

  /** What the JobManager does with a subsumed checkpoint: remove its pin. */
  protected abstract void discard(KeyedStateHandle handle) throws Exception;

  @BeforeEach
  void hooks() {
    TestHooks.sourceGcClock = clock;
    TestHooks.sourceStores = s -> new HookedObjectStore(s, hook(s.prefix()));
  }

  @AfterEach
  void resetHooks() {
    TestHooks.reset();
    if (root != null) {
      root.close();
    }
  }

  @Test
  void abandonedForksAreDeletedAndTheOldDatabasesGo() throws Exception {
    try (BackendTestKit kit = kit()) {
      List<KeyedStateHandle> old = writeOld(kit);
      abandon(kit, old);

      // The job restores the old checkpoint again, at another parallelism this time.
      List<IsleKeyedStateBackend<Integer>> parts = restore(kit, old, TWO);
      List<KeyedStateHandle> first = checkpoint(parts, 10, List.of());
      Set<String> found = new TreeSet<>();
      parts.forEach(p -> found.addAll(p.retirement().abandoned()));
      assertThat(found).as("abandoned forks found").isEqualTo(abandonedPrefixes);
      for (String f : abandonedPrefixes) {
        assertThat(pins(f)).as("pins left on the abandoned fork %s", f).isEmpty();
        assertRetired(f);
      }
      assertReads(parts);

      for (IsleKeyedStateBackend<Integer> p : parts) {
        compactFully(p.db().prefix());
      }
      List<KeyedStateHandle> second = checkpoint(parts, 11, concat(old, first));
      collectUntilGone(parts, union(oldPrefixes, abandonedPrefixes));
      assertReads(parts);
      checkpoint(parts, 12, second);
      for (IsleKeyedStateBackend<Integer> p : parts) {
        assertThat(p.retirement().pending()).as("sources left of %s", p.db().prefix()).isEmpty();
      }
      parts.forEach(IsleKeyedStateBackend::dispose);
    }
  }

  @Test
  void theCleanupOfAbandonedForksSurvivesACrashAtEachStep() throws Exception {
    Deque<Step> steps =
        new ArrayDeque<>(
            List.of(
                new Step(Op.LIST, "manifest/pins/", Kind.OLD), // the scan
                new Step(Op.CREATE_IF_ABSENT, "manifest/log/", Kind.ABANDONED), // its retirement
                new Step(Op.DELETE, "manifest/pins/", Kind.ABANDONED), // its leftover pins
                new Step(Op.DELETE, "sstable/", Kind.ABANDONED), // deletion: tables
                new Step(Op.DELETE, "manifest/pins/fork-", Kind.ANY), // its pins on the sources
                new Step(Op.DELETE, "manifest/log/", Kind.ABANDONED), // its manifest
                new Step(Op.DELETE, "manifest/snapshots/", Kind.ABANDONED),
                new Step(Op.DELETE, "sstable/", Kind.OLD))); // then the old databases
    List<Step> all = List.copyOf(steps);
    try (BackendTestKit kit = kit()) {
      List<KeyedStateHandle> old = writeOld(kit);
      abandon(kit, old);
      List<IsleKeyedStateBackend<Integer>> parts = restore(kit, old, TWO);
      for (IsleKeyedStateBackend<Integer> p : parts) {
        compactFully(p.db().prefix());
      }
      List<KeyedStateHandle> latest = null;
      List<KeyedStateHandle> discards = new ArrayList<>(old);
      armed = steps.poll();
      long id = 10;
      Set<String> doomed = union(oldPrefixes, abandonedPrefixes);
      for (int round = 0; round < 40 && !(armed == null && allGone(doomed)); round++) {
        try {
          if (parts == null) {
            parts = reopen(kit, latest);
          }
          latest = checkpointOnly(parts, id, discards);
          discards = latest;
          notifyComplete(parts, id++);
          for (IsleKeyedStateBackend<Integer> p : parts) {
            collectOwn(p);
          }
          passes(parts);
          clock.advance(GRACE.plusSeconds(1));
          passes(parts);
        } catch (Throwable t) {
          if (!killed(t)) {
            throw t;
          }
          // The whole job fails over: every subtask restores the latest completed checkpoint.
          if (parts != null) {
            parts.forEach(IsleKeyedStateBackend::dispose);
          }
          parts = null;
          armed = steps.poll();
        }
      }
      assertThat(fired).as("crash steps reached").isEqualTo(all);
      assertThat(allGone(doomed)).as("old and abandoned databases deleted: %s", doomed).isTrue();
      assertReads(parts);
      parts.forEach(IsleKeyedStateBackend::dispose);
    }
  }

  @Test
  void aChainOfRescalesHandsOnTheOldDatabasesToDelete() throws Exception {
    try (BackendTestKit kit = kit()) {
      List<KeyedStateHandle> old = writeOld(kit);
      // 2 -> 3, an attempt abandoned first; then claimed (the first checkpoint is a regular one):
      // the old databases are retired, the abandoned forks found; nothing is deleted yet.
      abandon(kit, old);
      List<IsleKeyedStateBackend<Integer>> three = restore(kit, old, THREE);
      List<KeyedStateHandle> threeFirst = checkpoint(three, 10, List.of());
      three.forEach(p -> oldPrefixes.add(p.db().prefix()));
      three.forEach(IsleKeyedStateBackend::dispose);

      // 3 -> 2 before the first generation was deleted: its sources are handed on.
      List<IsleKeyedStateBackend<Integer>> two = restore(kit, threeFirst, TWO);
      List<KeyedStateHandle> twoFirst = checkpoint(two, 20, List.of());
      // The subtask holding key group 0 deletes the first two databases of the first generation
      // and takes over the old databases they still had to delete.
      assertThat(two.get(0).retirement().pending())
          .as("what the first new subtask deletes")
          .containsExactlyInAnyOrderElementsOf(
              oldPrefixes.stream().filter(p -> !p.equals(three.get(2).db().prefix())).toList());
      assertReads(two);
      for (IsleKeyedStateBackend<Integer> p : two) {
        compactFully(p.db().prefix());
      }
      List<KeyedStateHandle> twoSecond =
          checkpoint(two, 21, concat(concat(old, threeFirst), twoFirst));
      collectUntilGone(two, union(oldPrefixes, abandonedPrefixes));
      assertReads(two);
      checkpoint(two, 22, twoSecond);
      for (IsleKeyedStateBackend<Integer> p : two) {
        assertThat(p.retirement().pending()).as("sources left of %s", p.db().prefix()).isEmpty();
      }
      two.forEach(IsleKeyedStateBackend::dispose);
    }
  }

  /**
   * Two old subtasks write {@link #KEYS} keys and take one checkpoint each; returns their handles.
   */
  private List<KeyedStateHandle> writeOld(BackendTestKit kit) throws Exception {
    List<KeyedStateHandle> handles = new ArrayList<>();
    for (KeyGroupRange r : OLD) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, r, List.of());
      for (int k = 0; k < KEYS; k++) {
        if (r.contains(keyGroup(k))) {
          put(b, k, valueOf(k));
          model.put(k, valueOf(k));
        }
      }
      KeyedStateHandle h = BackendTestKit.snapshot(b, 1);
      handles.add(h);
      store(IsleCheckpoint.of(h).orElseThrow()); // opens the root store once
      oldPrefixes.add(b.db().prefix());
      b.dispose();
    }
    return handles;
  }

  /**
   * An attempt restores {@code old} into three forks, writes (lost), takes a checkpoint that never
   * completes (its pins stay) and fails.
   */
  private void abandon(BackendTestKit kit, List<KeyedStateHandle> old) throws Exception {
    List<IsleKeyedStateBackend<Integer>> attempt = restore(kit, old, THREE);
    for (IsleKeyedStateBackend<Integer> p : attempt) {
      put(p, OldDatabases.firstKeyOf(p.getKeyGroupRange()), "lost");
      snapshot(p, 5);
      abandonedPrefixes.add(p.db().prefix());
    }
    attempt.forEach(IsleKeyedStateBackend::dispose);
  }

  private List<IsleKeyedStateBackend<Integer>> restore(
      BackendTestKit kit, List<KeyedStateHandle> handles, List<KeyGroupRange> ranges)
      throws Exception {
    List<IsleKeyedStateBackend<Integer>> parts = new ArrayList<>();
    for (KeyGroupRange r : ranges) {
      List<KeyedStateHandle> mine = new ArrayList<>();
      for (KeyedStateHandle h : handles) {
        KeyedStateHandle part = h.getIntersection(r);
        if (part != null) {
          mine.add(part);
        }
      }
      parts.add(kit.create(IntSerializer.INSTANCE, r, mine));
    }
    return parts;
  }

  /** Every subtask restores its own handle of the latest completed checkpoint (in place). */
  private List<IsleKeyedStateBackend<Integer>> reopen(
      BackendTestKit kit, List<KeyedStateHandle> latest) throws Exception {
    List<IsleKeyedStateBackend<Integer>> parts = new ArrayList<>();
    try {
      for (int i = 0; i < TWO.size(); i++) {
        parts.add(kit.create(IntSerializer.INSTANCE, TWO.get(i), List.of(latest.get(i))));
      }
      return parts;
    } catch (Throwable t) {
      parts.forEach(IsleKeyedStateBackend::dispose);
      throw t;
    }
  }

  /**
   * One change per subtask, checkpoint {@code id} of every subtask, the discard of {@code
   * subsumed}, then the confirmations.
   */
  private List<KeyedStateHandle> checkpoint(
      List<IsleKeyedStateBackend<Integer>> parts, long id, List<KeyedStateHandle> subsumed)
      throws Exception {
    List<KeyedStateHandle> out = checkpointOnly(parts, id, subsumed);
    notifyComplete(parts, id);
    return out;
  }

  /** {@link #checkpoint} without the confirmations: complete on the JobManager only. */
  private List<KeyedStateHandle> checkpointOnly(
      List<IsleKeyedStateBackend<Integer>> parts, long id, List<KeyedStateHandle> subsumed)
      throws Exception {
    List<KeyedStateHandle> out = new ArrayList<>();
    for (IsleKeyedStateBackend<Integer> p : parts) {
      int k = OldDatabases.firstKeyOf(p.getKeyGroupRange());
      put(p, k, "v" + id + "-" + k);
      model.put(k, "v" + id + "-" + k);
      out.add(snapshot(p, id));
    }
    // Complete on the JobManager: the subsumed checkpoints are discarded.
    for (KeyedStateHandle h : subsumed) {
      discard(h);
    }
    return out;
  }

  private static void notifyComplete(List<IsleKeyedStateBackend<Integer>> parts, long id)
      throws Exception {
    for (IsleKeyedStateBackend<Integer> p : parts) {
      p.notifyCheckpointComplete(id);
    }
  }

  private static KeyedStateHandle snapshot(IsleKeyedStateBackend<?> b, long id) throws Exception {
    RunnableFuture<SnapshotResult<KeyedStateHandle>> f =
        b.snapshot(id, id, null, CheckpointOptions.forCheckpointWithDefaultLocation());
    f.run();
    return f.get().getJobManagerOwnedSnapshot();
  }

  /**
   * The new databases' own GC releases their fork pins; then the backends' GC passes on the
   * databases they delete, a grace period apart, until every one of {@code doomed} is gone.
   */
  private void collectUntilGone(List<IsleKeyedStateBackend<Integer>> parts, Set<String> doomed) {
    for (IsleKeyedStateBackend<Integer> p : parts) {
      collectOwn(p);
    }
    for (int round = 0; round < 6 && !allGone(doomed); round++) {
      passes(parts);
      clock.advance(GRACE.plusSeconds(1));
    }
    for (String prefix : doomed) {
      assertThat(objects(prefix))
          .as("objects left of %s (pins %s)", prefix, objects(prefix) == 0 ? "" : pins(prefix))
          .isZero();
    }
  }

  private boolean allGone(Set<String> prefixes) {
    return prefixes.stream().allMatch(p -> objects(p) == 0);
  }

  private static void passes(List<IsleKeyedStateBackend<Integer>> parts) {
    parts.forEach(p -> p.retirement().runPassesNow());
  }

  private void assertReads(List<IsleKeyedStateBackend<Integer>> parts) throws Exception {
    ForkOwnershipTest.assertReads(parts, model);
  }

  private static DBOptions dbOptions() {
    return DBOptions.defaults().withGcGracePeriod(GRACE).withLogRetention(Duration.ZERO);
  }

  /** The store of the database at {@code prefix}: a sibling of one store the test opens once. */
  protected final ObjectStore store(IsleCheckpoint c) {
    return store(c.getPrefix(), c);
  }

  private ObjectStore store(String prefix) {
    return root.sibling(prefix);
  }

  private ObjectStore store(String prefix, IsleCheckpoint c) {
    if (root == null) {
      root = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
    }
    return root.sibling(prefix);
  }

  private void assertRetired(String prefix) {
    OldDatabases.assertRetired(store(prefix), dbOptions(), prefix);
  }

  private List<PinInfo> pins(String prefix) {
    return OldDatabases.pins(store(prefix), dbOptions());
  }

  private int objects(String prefix) {
    return OldDatabases.objects(store(prefix));
  }

  private void compactFully(String prefix) {
    OldDatabases.compactFully(store(prefix), dbOptions());
  }

  /**
   * The own GC of a live backend's database. Its writer commits once between the passes (see {@link
   * OldDatabases#collectOwn(io.isledb.ObjectStore, io.isledb.DBOptions, long, java.time.Duration,
   * Runnable)}): the value its key already has, so the model stays as it is whether or not that
   * commit is part of a later checkpoint.
   */
  private void collectOwn(IsleKeyedStateBackend<Integer> p) {
    OldDatabases.collectOwn(
        store(p.db().prefix()),
        dbOptions(),
        clock.millis(),
        GRACE,
        () -> OldDatabases.commitOnce(p, model::get));
  }

  private HookedObjectStore.Hook hook(String prefix) {
    return (op, phase, name) -> {
      Step step = armed;
      if (step != null
          && phase == HookedObjectStore.Phase.BEFORE
          && op == step.op()
          && name.startsWith(step.name())
          && (step.on() == Kind.ANY
              || (step.on() == Kind.OLD ? oldPrefixes : abandonedPrefixes).contains(prefix))) {
        armed = null;
        fired.add(step);
        throw new Killed();
      }
    };
  }

  private static boolean killed(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Killed) {
        return true;
      }
    }
    return false;
  }

  private static List<KeyedStateHandle> concat(List<KeyedStateHandle> a, List<KeyedStateHandle> b) {
    List<KeyedStateHandle> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }
}
