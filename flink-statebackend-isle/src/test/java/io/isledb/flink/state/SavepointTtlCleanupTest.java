package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SavepointSnapshotStrategy;
import org.apache.flink.runtime.state.SnapshotExecutionType;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.SnapshotStrategyRunner;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TTL's full-snapshot cleanup ({@code cleanupFullSnapshot()}) in canonical savepoints: entries
 * expired when the savepoint is written are left out of it (values, single list elements, map
 * entries), as RocksDB's full snapshots do, and state without that cleanup keeps them. The restore
 * runs with the TTL clock set back, so an expired entry that had been written would show.
 */
class SavepointTtlCleanupTest {
  private static final Duration TTL = Duration.ofMillis(100);

  @TempDir Path dir;

  private static <D extends StateDescriptor<?, ?>> D ttl(D d, boolean fullSnapshotCleanup) {
    StateTtlConfig.Builder b = StateTtlConfig.newBuilder(TTL).disableCleanupInBackground();
    d.enableTimeToLive(fullSnapshotCleanup ? b.cleanupFullSnapshot().build() : b.build());
    return d;
  }

  private final ValueStateDescriptor<Long> value =
      ttl(new ValueStateDescriptor<>("v", LongSerializer.INSTANCE), true);
  private final ListStateDescriptor<Long> list =
      ttl(new ListStateDescriptor<>("l", LongSerializer.INSTANCE), true);
  private final MapStateDescriptor<Integer, Long> map =
      ttl(new MapStateDescriptor<>("m", IntSerializer.INSTANCE, LongSerializer.INSTANCE), true);
  private final ValueStateDescriptor<Long> kept =
      ttl(new ValueStateDescriptor<>("kept", LongSerializer.INSTANCE), false);

  private static <S extends State> S state(
      IsleKeyedStateBackend<Integer> b, StateDescriptor<S, ?> d) throws Exception {
    return b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d);
  }

  private void write(IsleKeyedStateBackend<Integer> b, int key, long v) throws Exception {
    b.setCurrentKey(key);
    ((ValueState<Long>) state(b, value)).update(v);
    ((ListState<Long>) state(b, list)).add(v);
    ((MapState<Integer, Long>) state(b, map)).put((int) v, v);
    ((ValueState<Long>) state(b, kept)).update(v);
  }

  private static KeyedStateHandle canonicalSavepoint(IsleKeyedStateBackend<Integer> b)
      throws Exception {
    CheckpointStreamFactory streams =
        new JobManagerCheckpointStorage()
            .createCheckpointStorage(new org.apache.flink.api.common.JobID())
            .resolveCheckpointStorageLocation(1L, CheckpointStorageLocationReference.getDefault());
    RunnableFuture<SnapshotResult<KeyedStateHandle>> f =
        new SnapshotStrategyRunner<>(
                "canonical savepoint",
                new SavepointSnapshotStrategy<>(b.savepoint().getSnapshotResources()),
                new CloseableRegistry(),
                SnapshotExecutionType.ASYNCHRONOUS)
            .snapshot(
                1L,
                1L,
                streams,
                new CheckpointOptions(
                    SavepointType.savepoint(SavepointFormatType.CANONICAL),
                    CheckpointStorageLocationReference.getDefault()));
    f.run();
    return f.get().getJobManagerOwnedSnapshot();
  }

  @Test
  void expiredEntriesAreLeftOutOfCanonicalSavepoints() throws Exception {
    AtomicLong now = new AtomicLong(0);
    KeyGroupRange all = KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1);
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b =
          kit.create(IntSerializer.INSTANCE, all, List.of(), now::get);
      write(b, 1, 10); // key 1: only old entries
      write(b, 2, 20); // key 2: an old list element and map entry, then fresh ones
      now.set(60);
      write(b, 2, 21);
      now.set(130); // written at 0: expired; at 60: not
      KeyedStateHandle savepoint = canonicalSavepoint(b);
      b.dispose();

      now.set(70); // every entry would be visible again, had it been written
      IsleKeyedStateBackend<Integer> r =
          kit.create(IntSerializer.INSTANCE, all, List.of(savepoint), now::get);
      r.setCurrentKey(1);
      assertThat(((ValueState<Long>) state(r, value)).value()).isNull();
      assertThat(((ListState<Long>) state(r, list)).get()).isNullOrEmpty();
      assertThat(((MapState<Integer, Long>) state(r, map)).isEmpty()).isTrue();
      assertThat(((ValueState<Long>) state(r, kept)).value())
          .as("no snapshot cleanup")
          .isEqualTo(10);
      r.setCurrentKey(2);
      assertThat(((ValueState<Long>) state(r, value)).value()).isEqualTo(21);
      assertThat(((ListState<Long>) state(r, list)).get()).containsExactly(21L);
      assertThat(((MapState<Integer, Long>) state(r, map)).keys()).containsExactly(21);
      assertThat(((ValueState<Long>) state(r, kept)).value()).isEqualTo(21);
      r.dispose();
    }
  }
}
