package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.flink.state.IsleStateBackendOptions.TimerServiceType;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the conformance suite does not pin down: a checkpoint is a pinned version of the backend's
 * own database, a same-parallelism restore reopens that database rolled back (no copy), discarding
 * the handle removes the pin, timers survive restore, and the shared resources are released.
 */
class CheckpointRestoreTest {
  @TempDir Path dir;

  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  private static int valueOf(IsleKeyedStateBackend<Integer> b, int key) throws Exception {
    b.setCurrentKey(key);
    ValueState<Integer> s =
        b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
    Integer v = s.value();
    return v == null ? -1 : v;
  }

  private static void setValue(IsleKeyedStateBackend<Integer> b, int key, int value)
      throws Exception {
    b.setCurrentKey(key);
    b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE)
        .update(value);
  }

  @Test
  void sameRangeRestoreReopensTheCheckpointedDatabaseRolledBack() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      setValue(b, 1, 10);
      KeyedStateHandle firstHandle = BackendTestKit.snapshot(b, 1);
      setValue(b, 1, 11);
      setValue(b, 2, 20);
      KeyedStateHandle secondHandle = BackendTestKit.snapshot(b, 2);
      IsleCheckpoint first = IsleCheckpoint.of(firstHandle).orElseThrow();
      IsleCheckpoint second = IsleCheckpoint.of(secondHandle).orElseThrow();
      setValue(b, 3, 30); // after the last checkpoint: must vanish
      b.dispose();

      assertThat(second.getPrefix()).isEqualTo(first.getPrefix());
      assertThat(second.getVersion()).isGreaterThan(first.getVersion());

      IsleKeyedStateBackend<Integer> r1 =
          kit.create(IntSerializer.INSTANCE, firstHandle.getKeyGroupRange(), List.of(firstHandle));
      assertThat(r1.db().prefix()).isEqualTo(first.getPrefix()); // reopened, not copied
      assertThat(List.of(valueOf(r1, 1), valueOf(r1, 2), valueOf(r1, 3)))
          .containsExactly(10, -1, -1);
      r1.dispose();

      // The later checkpoint is still restorable after a rollback to the earlier one.
      IsleKeyedStateBackend<Integer> r2 =
          kit.create(
              IntSerializer.INSTANCE, secondHandle.getKeyGroupRange(), List.of(secondHandle));
      assertThat(List.of(valueOf(r2, 1), valueOf(r2, 2), valueOf(r2, 3)))
          .containsExactly(11, 20, -1);
      r2.dispose();
    }
    assertThat(SharedResources.references()).isZero();
  }

  @Test
  void aRestoredAttemptFencesTheZombieWhichCannotChangeTheRestoredState() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> zombie = kit.create(IntSerializer.INSTANCE);
      setValue(zombie, 1, 10);
      KeyedStateHandle h = BackendTestKit.snapshot(zombie, 1);

      IsleKeyedStateBackend<Integer> restored =
          kit.create(IntSerializer.INSTANCE, h.getKeyGroupRange(), List.of(h));
      setValue(zombie, 1, 666); // buffered in the zombie's memtable
      assertThatThrownBy(() -> BackendTestKit.snapshot(zombie, 2))
          .hasRootCauseInstanceOf(io.isledb.FencedException.class);
      zombie.dispose();

      assertThat(valueOf(restored, 1)).isEqualTo(10);
      setValue(restored, 1, 11);
      KeyedStateHandle next = BackendTestKit.snapshot(restored, 2);
      restored.dispose();
      IsleKeyedStateBackend<Integer> again =
          kit.create(IntSerializer.INSTANCE, next.getKeyGroupRange(), List.of(next));
      assertThat(valueOf(again, 1)).isEqualTo(11);
      again.dispose();
    }
  }

  @Test
  void discardingTheHandleRemovesItsPin() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      setValue(b, 1, 10);
      KeyedStateHandle handle1 = BackendTestKit.snapshot(b, 1);
      KeyedStateHandle handle2 = BackendTestKit.snapshot(b, 2);
      b.dispose();
      IsleCheckpoint h1 = IsleCheckpoint.of(handle1).orElseThrow();
      IsleCheckpoint h2 = IsleCheckpoint.of(handle2).orElseThrow();
      assertThat(pins(h1)).containsEntry(h1.getPinName(), h1.getVersion());
      assertThat(pins(h1)).containsEntry(h2.getPinName(), h2.getVersion());
      handle1.discardState(); // what the JobManager does for a subsumed or aborted checkpoint
      assertThat(pins(h1)).doesNotContainKey(h1.getPinName()).containsKey(h2.getPinName());
    }
  }

  private static Map<String, Long> pins(IsleCheckpoint h) {
    try (ObjectStore store = IsleDB.openStore(h.getStoreUri(), h.getPrefix(), h.hadoopConf());
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      return db.pins();
    }
  }

  @ParameterizedTest
  @EnumSource(TimerServiceType.class)
  void timersSurviveCheckpointAndRestore(TimerServiceType timers) throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.TIMER_SERVICE, timers);
    TimerSerializer<Integer, VoidNamespace> serializer =
        new TimerSerializer<>(IntSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> q =
          b.create("timers", serializer);
      for (int i = 0; i < 50; i++) {
        q.add(new TimerHeapInternalTimer<>(1000 - i, i, VoidNamespace.INSTANCE));
      }
      q.poll(); // removes the earliest (key 49, time 951)
      q.remove(new TimerHeapInternalTimer<>(1000, 0, VoidNamespace.INSTANCE));
      KeyedStateHandle h = BackendTestKit.snapshot(b, 1);
      q.add(new TimerHeapInternalTimer<>(5, 77, VoidNamespace.INSTANCE)); // after the checkpoint
      b.dispose();

      IsleKeyedStateBackend<Integer> r =
          kit.create(IntSerializer.INSTANCE, h.getKeyGroupRange(), List.of(h));
      KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> restored =
          r.create("timers", serializer);
      List<Integer> keys = new ArrayList<>();
      while (!restored.isEmpty()) {
        keys.add(restored.poll().getKey());
      }
      List<Integer> expected = new ArrayList<>();
      for (int i = 48; i >= 1; i--) {
        expected.add(i); // ascending timestamps 952..999
      }
      assertThat(keys).isEqualTo(expected);
      r.dispose();
    }
  }

  @Test
  void rescaleForksExactlyTheOwnedKeyGroups() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      for (int k = 0; k < 200; k++) {
        setValue(b, k, k * 7);
      }
      KeyedStateHandle h = BackendTestKit.snapshot(b, 1);
      String sourcePrefix = IsleCheckpoint.of(h).orElseThrow().getPrefix();
      b.dispose();
      KeyGroupRange left = KeyGroupRange.of(0, 63);
      KeyGroupRange right = KeyGroupRange.of(64, 127);
      IsleKeyedStateBackend<Integer> l =
          kit.create(IntSerializer.INSTANCE, left, List.of(h.getIntersection(left)));
      IsleKeyedStateBackend<Integer> r =
          kit.create(IntSerializer.INSTANCE, right, List.of(h.getIntersection(right)));
      assertThat(l.db().prefix()).isNotEqualTo(sourcePrefix);
      List<Integer> all = new ArrayList<>();
      for (IsleKeyedStateBackend<Integer> part : List.of(l, r)) {
        try (var keys = part.getKeys("value", VoidNamespace.INSTANCE)) {
          List<Integer> mine = keys.collect(Collectors.toList());
          for (int k : mine) {
            assertThat(
                    part.getKeyGroupRange()
                        .contains(
                            org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignToKeyGroup(
                                k, BackendTestKit.KEY_GROUPS)))
                .isTrue();
            part.setCurrentKey(k);
            assertThat(valueOf(part, k)).isEqualTo(k * 7);
          }
          all.addAll(mine);
        }
      }
      assertThat(all).hasSize(200).doesNotHaveDuplicates();
      l.dispose();
      r.dispose();
    }
  }

  /**
   * Variable-size keys and namespaces (both strings): the key of one entry is a byte prefix of
   * another's, and neither a map's iteration nor getKeys mixes them up.
   */
  @Test
  void prefixScansNeverMatchALongerKey() throws Exception {
    MapStateDescriptor<String, Integer> mapDesc =
        new MapStateDescriptor<>("map", StringSerializer.INSTANCE, IntSerializer.INSTANCE);
    ListStateDescriptor<Integer> listDesc =
        new ListStateDescriptor<>("list", IntSerializer.INSTANCE);
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<String> b = kit.create(StringSerializer.INSTANCE);
      String[] keys = {"a", "ab", "a\u0000", "abc"};
      for (String k : keys) {
        b.setCurrentKey(k);
        for (String ns : new String[] {"n", "nn"}) {
          MapState<String, Integer> m =
              b.getPartitionedState(ns, StringSerializer.INSTANCE, mapDesc);
          m.put(k + "/" + ns, k.length());
          b.getPartitionedState(ns, StringSerializer.INSTANCE, listDesc).add(k.length());
        }
      }
      for (String k : keys) {
        b.setCurrentKey(k);
        for (String ns : new String[] {"n", "nn"}) {
          MapState<String, Integer> m =
              b.getPartitionedState(ns, StringSerializer.INSTANCE, mapDesc);
          List<String> userKeys = new ArrayList<>();
          m.keys().forEach(userKeys::add);
          assertThat(userKeys).containsExactly(k + "/" + ns);
          assertThat(b.getPartitionedState(ns, StringSerializer.INSTANCE, listDesc).get())
              .containsExactly(k.length());
        }
      }
      try (var s = b.getKeys("map", "n")) {
        assertThat(s.collect(Collectors.toList())).containsExactlyInAnyOrder(keys);
      }
      try (var s = b.getKeysAndNamespaces("list")) {
        assertThat(s.count()).isEqualTo(keys.length * 2L);
      }
      b.dispose();
    }
  }
}
