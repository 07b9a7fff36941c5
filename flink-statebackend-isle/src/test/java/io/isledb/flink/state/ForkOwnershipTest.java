package io.isledb.flink.state;

import static io.isledb.flink.state.RescaleByForkTest.get;
import static io.isledb.flink.state.RescaleByForkTest.keyGroup;
import static io.isledb.flink.state.RescaleByForkTest.pins;
import static io.isledb.flink.state.RescaleByForkTest.put;
import static io.isledb.flink.state.RescaleByForkTest.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who owns what after a rescale by fork, on {@code file://} with compaction and GC driven by the
 * test: the new databases hold fork pins on the old one; once their compaction rewrote the borrowed
 * tables, the old checkpoint is discarded and their GC released those pins, the old database has no
 * pin left and its GC keeps only its head's tables; deleting it whole (what an operator does with a
 * retired database, docs/PROTOCOL.md section 9) loses nothing: every read of the new databases, and
 * of a restore of their checkpoints, finds every key.
 */
class ForkOwnershipTest {
  private static final Duration GRACE = IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue();
  private static final int KEYS = 600;

  @TempDir Path dir;

  @Test
  void oldDatabaseIsReleasedCollectedAndDeletableWhileNoReadMissesAnObject() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, RescaleByForkTest.quiet())) {
      IsleKeyedStateBackend<Integer> old = kit.create(IntSerializer.INSTANCE);
      List<KeyedStateHandle> oldHandles = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int k = round; k < KEYS; k += 3) {
          put(old, k, valueOf(k));
        }
        oldHandles.add(BackendTestKit.snapshot(old, round + 1));
      }
      KeyedStateHandle oldHandle = oldHandles.get(oldHandles.size() - 1);
      old.dispose();
      IsleCheckpoint source = IsleCheckpoint.of(oldHandle).orElseThrow();

      List<KeyGroupRange> ranges = List.of(KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127));
      List<IsleKeyedStateBackend<Integer>> parts = new ArrayList<>();
      for (KeyGroupRange r : ranges) {
        parts.add(kit.create(IntSerializer.INSTANCE, r, List.of(oldHandle.getIntersection(r))));
      }
      Map<Integer, String> model = new TreeMap<>();
      for (int k = 0; k < KEYS; k++) {
        model.put(k, valueOf(k));
      }
      assertReads(parts, model);
      assertThat(pins(source))
          .filteredOn(p -> p.owner().orElse("").startsWith("isledb-fork:"))
          .hasSize(2);

      // Each new database's compaction rewrites what it borrowed into its own prefix; then a
      // change and a checkpoint on top of it.
      List<IsleCheckpoint> newHandles = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        IsleKeyedStateBackend<Integer> part = parts.get(i);
        compactFully(part.db().storeUri(), part.db().prefix());
        int changed = firstKeyOf(ranges.get(i));
        put(part, changed, "changed-" + changed);
        model.put(changed, "changed-" + changed);
        newHandles.add(IsleCheckpoint.of(BackendTestKit.snapshot(part, 10)).orElseThrow());
      }
      assertReads(parts, model);

      // The JobManager discards the old checkpoints; the new databases' GC releases their pins.
      for (KeyedStateHandle h : oldHandles) {
        h.discardState();
      }
      for (IsleCheckpoint h : newHandles) {
        GcPasses.converge(h, GRACE);
      }
      assertThat(pins(source)).as("pins left on the old database").isEmpty();
      assertReads(parts, model);

      // The old database's GC keeps only its head's tables; then it is deleted whole.
      GcPasses.Converged collected = GcPasses.converge(source, GRACE);
      assertThat(collected.pins()).isEmpty();
      assertThat(collected.tables()).isEqualTo(collected.liveTables());
      assertThat(deleteWhole(source)).isPositive();
      assertReads(parts, model);

      // A restored attempt of each new subtask reads from storage only: nothing is missing.
      List<IsleKeyedStateBackend<Integer>> restored = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        KeyedStateHandle h = BackendTestKit.snapshot(parts.get(i), 11);
        parts.get(i).dispose();
        restored.add(kit.create(IntSerializer.INSTANCE, ranges.get(i), List.of(h)));
      }
      assertReads(restored, model);
      restored.forEach(IsleKeyedStateBackend::dispose);
    }
  }

  private static int firstKeyOf(KeyGroupRange r) {
    int k = 0;
    while (!r.contains(keyGroup(k))) {
      k++;
    }
    return k;
  }

  /** Every key of {@code model} reads its value from the part owning its key group. */
  static void assertReads(List<IsleKeyedStateBackend<Integer>> parts, Map<Integer, String> model)
      throws Exception {
    Map<Integer, String> seen = new TreeMap<>();
    for (IsleKeyedStateBackend<Integer> part : parts) {
      for (int k : model.keySet()) {
        if (part.getKeyGroupRange().contains(keyGroup(k))) {
          seen.put(k, get(part, k));
        }
      }
    }
    assertThat(seen).isEqualTo(model);
  }

  private static DBOptions dbOptions() {
    return DBOptions.defaults()
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO)
        .withClock(new MutableClock(System.currentTimeMillis()));
  }

  /** What the backend's compactor does in the background: merge until nothing is borrowed. */
  private static void compactFully(String storeUri, String prefix) {
    try (ObjectStore store = IsleDB.openStore(storeUri, prefix, Map.of());
        IsleDB db = IsleDB.open(store, dbOptions());
        Compactor c = db.openCompactor(CompactorOptions.defaults())) {
      int merges = 0;
      while (c.runOnce().isPresent()) {
        merges++;
      }
      assertThat(merges).as("merges of the borrowed tables of " + prefix).isPositive();
    }
  }

  /** Deletes every object of the database of {@code c}; returns how many there were. */
  private static int deleteWhole(IsleCheckpoint c) {
    try (ObjectStore store = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf())) {
      List<String> names = new ArrayList<>();
      store.list("").forEachRemaining((ObjectInfo o) -> names.add(o.name()));
      store.deleteAll(names);
      List<String> left = new ArrayList<>();
      store.list("").forEachRemaining(o -> left.add(o.name()));
      assertThat(left).isEmpty();
      return names.size();
    }
  }
}
