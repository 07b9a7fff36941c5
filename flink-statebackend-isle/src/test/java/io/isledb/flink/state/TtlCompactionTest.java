package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expired TTL state is removed physically by the backend's compaction (Flink's TTL wrappers only
 * hide it on read): value, list, map, reducing and aggregating state with TTL and compaction
 * cleanup lose their expired entries, entries written again after the expiry stay, and neither
 * state without TTL nor TTL state whose background cleanup is disabled loses anything.
 */
class TtlCompactionTest {
  private static final int KEYS = 150;
  private static final Duration TTL = Duration.ofMinutes(1);
  private static final StateTtlConfig CLEANUP = StateTtlConfig.newBuilder(TTL).build();

  private static final ValueStateDescriptor<Long> VALUE =
      ttl(new ValueStateDescriptor<>("v", LongSerializer.INSTANCE));
  private static final ListStateDescriptor<Long> LIST =
      ttl(new ListStateDescriptor<>("l", LongSerializer.INSTANCE));
  private static final MapStateDescriptor<Integer, Long> MAP =
      ttl(new MapStateDescriptor<>("m", IntSerializer.INSTANCE, LongSerializer.INSTANCE));
  private static final ReducingStateDescriptor<Long> REDUCING =
      ttl(new ReducingStateDescriptor<>("r", Long::sum, LongSerializer.INSTANCE));
  private static final AggregatingStateDescriptor<Long, Long, Long> AGGREGATING =
      ttl(new AggregatingStateDescriptor<>("a", new Sum(), LongSerializer.INSTANCE));
  private static final ValueStateDescriptor<Long> PLAIN =
      new ValueStateDescriptor<>("plain", LongSerializer.INSTANCE);
  private static final ValueStateDescriptor<Long> NO_CLEANUP =
      new ValueStateDescriptor<>("nc", LongSerializer.INSTANCE);

  static {
    NO_CLEANUP.enableTimeToLive(
        StateTtlConfig.newBuilder(TTL).disableCleanupInBackground().build());
  }

  @TempDir Path dir;

  private static <D extends StateDescriptor<?, ?>> D ttl(D d) {
    d.enableTimeToLive(CLEANUP);
    return d;
  }

  /** Sums longs. */
  private static final class Sum implements AggregateFunction<Long, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Long value, Long acc) {
      return acc + value;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  private static <S extends State> S state(
      IsleKeyedStateBackend<Integer> b, StateDescriptor<S, ?> d) throws Exception {
    return b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d);
  }

  /** Writes every TTL state of key {@code k} (at the TTL clock's current time). */
  private static void writeTtl(IsleKeyedStateBackend<Integer> b, int k, long v) throws Exception {
    b.setCurrentKey(k);
    ((ValueState<Long>) state(b, VALUE)).update(v);
    ((ListState<Long>) state(b, LIST)).add(v);
    MapState<Integer, Long> m = state(b, MAP);
    m.put(1, v);
    m.put(2, v + 1);
    ((ReducingState<Long>) state(b, REDUCING)).add(v);
    ((AggregatingState<Long, Long>) state(b, AGGREGATING)).add(v);
  }

  private static void touchPlain(IsleKeyedStateBackend<Integer> b, int k) throws Exception {
    b.setCurrentKey(k);
    ((ValueState<Long>) state(b, PLAIN)).update((long) k);
  }

  private static long[] entriesAndBytes(ObjectStore store) {
    ManifestState head = new Manifest(store).loadLatest();
    long entries = 0;
    long bytes = 0;
    for (SstMeta t : head.allTables()) {
      entries += t.entries();
      bytes += t.size();
    }
    return new long[] {entries, bytes, head.l0().size(), head.runs().size()};
  }

  @Test
  void compactionRemovesExpiredStateAndKeepsTheRest() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000L);
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b =
          kit.create(IntSerializer.INSTANCE, KeyGroupRange.of(0, 127), List.of(), now::get);
      for (int k = 0; k < KEYS; k++) {
        writeTtl(b, k, k);
        b.setCurrentKey(k);
        ((ValueState<Long>) state(b, PLAIN)).update((long) k);
        ((ValueState<Long>) state(b, NO_CLEANUP)).update((long) k);
      }
      IsleCheckpoint first = IsleCheckpoint.of(BackendTestKit.snapshot(b, 1)).orElseThrow();
      now.addAndGet(TTL.toMillis() + 1); // everything written so far expired
      for (int k = 0; k < KEYS; k += 3) {
        writeTtl(b, k, 1000 + k); // written again: fresh
      }
      try (ObjectStore store = IsleDB.openStore(first.getStoreUri(), first.getPrefix(), Map.of())) {
        // Cuts 2..7 add L0 tables below the compactor's trigger (8); the 8th triggers one
        // bottommost merge of everything, in the background. A checkpoint with nothing written
        // publishes nothing, so each cut rewrites one PLAIN value unchanged (the merge keeps
        // its newest version only: the expected entry count is unchanged).
        for (int cp = 2; cp <= 7; cp++) {
          touchPlain(b, cp);
          BackendTestKit.snapshot(b, cp);
        }
        long[] before = entriesAndBytes(store);
        assertThat(before[2]).as("one L0 table per cut").isEqualTo(7);
        assertThat(before[3]).as("not compacted yet").isZero();
        touchPlain(b, 8);
        BackendTestKit.snapshot(b, 8);
        long[][] after = new long[1][];
        BackendMaintenanceTest.await(
            () -> {
              after[0] = entriesAndBytes(store);
              return after[0][2] == 0 && after[0][3] == 1;
            },
            () -> "head " + java.util.Arrays.toString(after[0]));
        int fresh = (KEYS + 2) / 3;
        // Left: the metadata record; PLAIN and NO_CLEANUP for every key; for the fresh keys
        // value, the new list element, two map entries, reducing and aggregating.
        long expected = 1 + 2L * KEYS + 6L * fresh;
        assertThat(after[0][0])
            .as("entries before %s, after %s", before[0], after[0][0])
            .isEqualTo(expected);
        assertThat(after[0][1]).as("bytes").isLessThan(before[1] * 2 / 3);
      }
      // The writer's view moves to the compacted head with its next commit (a checkpoint that
      // publishes: one with a write).
      touchPlain(b, 9);
      BackendTestKit.snapshot(b, 9);
      // Reads stay right: fresh keys show their new values, expired ones nothing (the map's
      // isEmpty is not filtered by Flink's TTL wrapper: its entries are gone from storage).
      for (int k = 0; k < KEYS; k++) {
        b.setCurrentKey(k);
        boolean isFresh = k % 3 == 0;
        Long v = ((ValueState<Long>) state(b, VALUE)).value();
        Iterable<Long> list = ((ListState<Long>) state(b, LIST)).get();
        MapState<Integer, Long> m = state(b, MAP);
        Long r = ((ReducingState<Long>) state(b, REDUCING)).get();
        Long a = ((AggregatingState<Long, Long>) state(b, AGGREGATING)).get();
        assertThat(((ValueState<Long>) state(b, PLAIN)).value()).isEqualTo((long) k);
        assertThat(((ValueState<Long>) state(b, NO_CLEANUP)).value())
            .as("expired on read")
            .isNull();
        if (isFresh) {
          assertThat(v).isEqualTo(1000L + k);
          assertThat(list).containsExactly(1000L + k);
          assertThat(m.get(1)).isEqualTo(1000L + k);
          assertThat(m.get(2)).isEqualTo(1001L + k);
          assertThat(r).isEqualTo(1000L + k);
          assertThat(a).isEqualTo(1000L + k);
        } else {
          assertThat(v).isNull();
          assertThat(list == null ? List.of() : list).isEmpty();
          assertThat(m.isEmpty()).isTrue();
          assertThat(r).isNull();
          assertThat(a).isNull();
        }
      }
      b.dispose();
    }
  }
}
