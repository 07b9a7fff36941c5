package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.db.Pins;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background maintenance of a backend's database: the compactor and GC run on the shared pools, so
 * that with Flink discarding subsumed checkpoints (their pins) storage converges to the retained
 * checkpoints' data plus the head, instead of growing with every checkpoint.
 */
class BackendMaintenanceTest {
  private static final int KEYS = 200;
  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  @TempDir Path dir;

  static Configuration fastGc() {
    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ofMillis(50));
    c.set(IsleStateBackendOptions.GC_GRACE_PERIOD, Duration.ofSeconds(2));
    return c;
  }

  private static void setAll(IsleKeyedStateBackend<Integer> b, int round) throws Exception {
    ValueState<Integer> s =
        b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
    for (int k = 0; k < KEYS; k++) {
      b.setCurrentKey(k);
      s.update(round * 1000 + k);
    }
  }

  private static int valueOf(IsleKeyedStateBackend<Integer> b, int key) throws Exception {
    b.setCurrentKey(key);
    Integer v =
        b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE)
            .value();
    return v == null ? -1 : v;
  }

  @Test
  void afterThirtyCheckpointsWithTwoRetainedStorageHoldsOnlyTheirDataAndTheHead() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, fastGc())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      List<KeyedStateHandle> retained = new ArrayList<>();
      for (int cp = 1; cp <= 30; cp++) {
        setAll(b, cp); // every checkpoint overwrites every key: the older data becomes garbage
        retained.add(BackendTestKit.snapshot(b, cp));
        b.notifyCheckpointComplete(cp);
        if (retained.size() > 2) {
          retained.remove(0).discardState(); // the JobManager subsumes with num-retained = 2
        }
      }
      IsleCheckpoint c29 = IsleCheckpoint.of(retained.get(0)).orElseThrow();
      IsleCheckpoint c30 = IsleCheckpoint.of(retained.get(1)).orElseThrow();
      try (ObjectStore store =
          IsleDB.openStore(c29.getStoreUri(), c29.getPrefix(), java.util.Map.of())) {
        // Converged: every table object in storage is a table of a retained checkpoint or of
        // the head, nothing else, and the head was compacted (30 cuts would be 30 L0 tables).
        String[] last = new String[1];
        await(
            () -> {
              Set<String> listed = tables(store);
              Set<String> expected = new TreeSet<>();
              List<ManifestCodec.Pin> pins = Pins.read(store);
              pins.forEach(p -> expected.addAll(tableObjects(p.state())));
              ManifestState head = new Manifest(store).loadLatest();
              expected.addAll(tableObjects(head));
              last[0] =
                  "listed "
                      + listed
                      + "\nexpected "
                      + expected
                      + "\nhead tables "
                      + head.allTables().size();
              return listed.equals(expected) && head.allTables().size() < 20;
            },
            () -> last[0]);
        assertThat(Pins.read(store).stream().map(ManifestCodec.Pin::name))
            .containsExactlyInAnyOrder(c29.getPinName(), c30.getPinName());
        assertThat(tables(store)).hasSizeLessThan(3 * 20);
      }
      b.dispose();
      // The older retained checkpoint is intact after the collection: it restores its values.
      IsleKeyedStateBackend<Integer> restored =
          kit.create(IntSerializer.INSTANCE, KeyGroupRange.of(0, 127), List.of(retained.get(0)));
      for (int k = 0; k < KEYS; k += 17) {
        assertThat(valueOf(restored, k)).isEqualTo(29 * 1000 + k);
      }
      restored.dispose();
    }
  }

  @Test
  void checkpointPinsNameJobAndBackendAndExpire() throws Exception {
    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.CHECKPOINT_PIN_TTL, Duration.ofHours(5));
    try (BackendTestKit kit = new BackendTestKit(dir, c)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      setAll(b, 1);
      IsleCheckpoint h = IsleCheckpoint.of(BackendTestKit.snapshot(b, 1)).orElseThrow();
      PinInfo pin =
          b.db().pins().stream().filter(p -> p.name().equals(h.getPinName())).findFirst().get();
      assertThat(pin.owner()).hasValueSatisfying(o -> assertThat(o).contains(kit.jobId.toString()));
      assertThat(pin.expiresAtMillis().getAsLong() - pin.timeMillis())
          .isEqualTo(Duration.ofHours(5).toMillis());
      b.dispose();
    }
  }

  @Test
  void theTaskRemovesThePinOfAnAbortedCheckpointAlsoWhenTheAbortComesFirst() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      setAll(b, 1);
      IsleCheckpoint h1 = IsleCheckpoint.of(BackendTestKit.snapshot(b, 1)).orElseThrow();
      IsleCheckpoint h2 = IsleCheckpoint.of(BackendTestKit.snapshot(b, 2)).orElseThrow();
      assertThat(pinNames(b)).contains(h1.getPinName(), h2.getPinName());
      // Checkpoint 2 is aborted after its pin was written; 1 completed (the JobManager's now).
      b.notifyCheckpointComplete(1);
      b.notifyCheckpointAborted(2);
      assertThat(pinNames(b)).contains(h1.getPinName()).doesNotContain(h2.getPinName());
      // Checkpoint 3 is aborted before its asynchronous phase pins: the pin goes when written,
      // and the phase reports no handle.
      setAll(b, 3);
      var f =
          b.snapshot(
              3,
              3,
              null,
              org.apache.flink.runtime.checkpoint.CheckpointOptions
                  .forCheckpointWithDefaultLocation());
      b.notifyCheckpointAborted(3);
      f.run();
      org.assertj.core.api.Assertions.assertThatThrownBy(f::get)
          .hasRootCauseInstanceOf(java.util.concurrent.CancellationException.class);
      assertThat(pinNames(b)).containsExactly(h1.getPinName());
      assertThat(b.checkpointPins().pending()).isEmpty();
      b.dispose();
    }
  }

  private static List<String> pinNames(IsleKeyedStateBackend<?> b) {
    return b.db().pins().stream().map(PinInfo::name).sorted().toList();
  }

  private static Set<String> tableObjects(ManifestState s) {
    Set<String> out = new TreeSet<>();
    for (SstMeta t : s.allTables()) {
      out.add(ManifestPaths.sst(t.id()));
    }
    return out;
  }

  private static Set<String> tables(ObjectStore store) {
    Set<String> out = new TreeSet<>();
    Iterator<ObjectInfo> it = store.list(ManifestPaths.SST_DIR);
    it.forEachRemaining(o -> out.add(o.name()));
    return out;
  }

  /** Waits (up to a minute) for the condition, polling; fails with {@code state} otherwise. */
  static void await(BooleanSupplier condition, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in a minute: " + state.get());
      }
      Thread.sleep(50);
    }
  }
}
