package io.isledb.bench.flink;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

/**
 * One subtask of the keyed operator the flink-restore group drives: its task environment (slot with
 * managed memory, checkpoint storage on file://), the keyed backend created through Flink's public
 * {@link StateBackend#createKeyedStateBackend} with the restored handles and key-group range a task
 * would pass, and the backend's gauges ({@link GaugeCapture}).
 */
final class Subtask implements AutoCloseable {
  static final ValueStateDescriptor<byte[]> VALUE =
      new ValueStateDescriptor<>("value", BytePrimitiveArraySerializer.INSTANCE);
  static final MapStateDescriptor<Long, byte[]> MAP =
      new MapStateDescriptor<>(
          "map", LongSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);

  final KeyGroupRange range;
  final CheckpointableKeyedStateBackend<Long> backend;
  final GaugeCapture gauges;
  private final MockEnvironment env;
  private final CheckpointStorageAccess storage;

  private Subtask(
      KeyGroupRange range,
      CheckpointableKeyedStateBackend<Long> backend,
      GaugeCapture gauges,
      MockEnvironment env,
      CheckpointStorageAccess storage) {
    this.range = range;
    this.backend = backend;
    this.gauges = gauges;
    this.env = env;
    this.storage = storage;
  }

  /**
   * Creates subtask {@code index} of {@code parallelism} of job {@code job}: its slot, the
   * checkpoint storage {@code checkpoints}, and its keyed backend restored from {@code handles}
   * (empty: a fresh backend).
   */
  static Subtask open(
      StateBackend sb,
      RestoreSettings s,
      JobID job,
      int index,
      int parallelism,
      KeyGroupRange range,
      Collection<KeyedStateHandle> handles,
      Path checkpoints)
      throws Exception {
    MockEnvironment env =
        MockEnvironment.builder()
            .setManagedMemorySize(s.slotMemoryBytes())
            .setMaxParallelism(StateBackends.KEY_GROUPS)
            .setParallelism(parallelism)
            .setSubtaskIndex(index)
            .setJobID(job)
            .build();
    try {
      CheckpointStorageAccess storage =
          new FileSystemCheckpointStorage(checkpoints.toUri()).createCheckpointStorage(job);
      storage.initializeBaseLocationsForCheckpoint();
      env.setCheckpointStorageAccess(storage);
      GaugeCapture gauges = new GaugeCapture();
      CheckpointableKeyedStateBackend<Long> b =
          sb.createKeyedStateBackend(
              new KeyedStateBackendParametersImpl<>(
                  env,
                  job,
                  // As a task names it: operator and subtask (ForSt's local folder is per name).
                  "restore-bench-operator_(" + (index + 1) + "/" + parallelism + ")",
                  LongSerializer.INSTANCE,
                  StateBackends.KEY_GROUPS,
                  range,
                  env.getTaskKvStateRegistry(),
                  TtlTimeProvider.DEFAULT,
                  gauges,
                  (metric, value) -> {},
                  handles,
                  new CloseableRegistry(),
                  1.0));
      return new Subtask(range, b, gauges, env, storage);
    } catch (Exception | Error e) {
      try {
        env.close();
      } catch (Exception | Error c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /** Sets {@code key} current: the next state access is that key's. */
  void select(long key) {
    backend.setCurrentKey(key);
  }

  org.apache.flink.api.common.state.ValueState<byte[]> value() throws Exception {
    return backend.getPartitionedState(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
  }

  org.apache.flink.api.common.state.MapState<Long, byte[]> map() throws Exception {
    return backend.getPartitionedState(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, MAP);
  }

  /**
   * Starts checkpoint {@code id}: the synchronous part runs here, the returned future is the rest.
   */
  RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(long id) throws Exception {
    CheckpointStreamFactory streams = storage.initializeLocationForCheckpoint(id);
    return backend.snapshot(
        id,
        System.currentTimeMillis(),
        streams,
        CheckpointOptions.forCheckpointWithDefaultLocation());
  }

  /** Disposes the backend (its local files go) and the environment. */
  @Override
  public void close() throws Exception {
    try {
      backend.dispose();
      backend.close();
    } finally {
      env.close();
    }
  }

  static List<KeyGroupRange> ranges(int parallelism) {
    List<KeyGroupRange> r = new java.util.ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      r.add(
          org.apache.flink.runtime.state.KeyGroupRangeAssignment
              .computeKeyGroupRangeForOperatorIndex(StateBackends.KEY_GROUPS, parallelism, i));
    }
    return r;
  }
}
