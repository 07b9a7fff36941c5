package io.isledb.flink.state;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

/** Creates keyed backends and takes snapshots outside Flink's test base. */
final class BackendTestKit implements AutoCloseable {
  static final int KEY_GROUPS = 128;

  final MockEnvironment env = MockEnvironment.builder().build();
  final JobID jobId = new JobID();
  final IsleStateBackend backend;

  BackendTestKit(Path dir, Configuration extra) {
    this(withDir(dir, extra));
  }

  /** A kit on a configuration that names its location itself (s3a:// tests). */
  BackendTestKit(Configuration config) {
    this.backend = new IsleStateBackend().configure(config, getClass().getClassLoader());
  }

  private static Configuration withDir(Path dir, Configuration extra) {
    Configuration config = new Configuration(extra);
    config.set(IsleStateBackendOptions.DIR, dir.toUri().toString());
    return config;
  }

  <K> IsleKeyedStateBackend<K> create(
      TypeSerializer<K> keySerializer, KeyGroupRange range, Collection<KeyedStateHandle> handles)
      throws Exception {
    return create(keySerializer, range, handles, TtlTimeProvider.DEFAULT);
  }

  /** A backend whose TTL wrappers (and TTL compaction filter) read {@code ttlTime}. */
  <K> IsleKeyedStateBackend<K> create(
      TypeSerializer<K> keySerializer,
      KeyGroupRange range,
      Collection<KeyedStateHandle> handles,
      TtlTimeProvider ttlTime)
      throws Exception {
    return create(keySerializer, range, handles, ttlTime, new UnregisteredMetricsGroup());
  }

  /** A backend of every key group registering its metrics on {@code metrics}. */
  <K> IsleKeyedStateBackend<K> create(TypeSerializer<K> keySerializer, MetricGroup metrics)
      throws Exception {
    return create(
        keySerializer,
        KeyGroupRange.of(0, KEY_GROUPS - 1),
        List.of(),
        TtlTimeProvider.DEFAULT,
        metrics);
  }

  private <K> IsleKeyedStateBackend<K> create(
      TypeSerializer<K> keySerializer,
      KeyGroupRange range,
      Collection<KeyedStateHandle> handles,
      TtlTimeProvider ttlTime,
      MetricGroup metrics)
      throws Exception {
    return (IsleKeyedStateBackend<K>)
        backend.createKeyedStateBackend(
            new KeyedStateBackendParametersImpl<>(
                env,
                jobId,
                "test-operator",
                keySerializer,
                KEY_GROUPS,
                range,
                env.getTaskKvStateRegistry(),
                ttlTime,
                metrics,
                handles,
                new CloseableRegistry()));
  }

  <K> IsleKeyedStateBackend<K> create(TypeSerializer<K> keySerializer) throws Exception {
    return create(keySerializer, KeyGroupRange.of(0, KEY_GROUPS - 1), List.of());
  }

  static KeyedStateHandle snapshot(IsleKeyedStateBackend<?> b, long checkpointId) throws Exception {
    RunnableFuture<SnapshotResult<KeyedStateHandle>> f =
        b.snapshot(
            checkpointId, checkpointId, null, CheckpointOptions.forCheckpointWithDefaultLocation());
    f.run();
    return f.get().getJobManagerOwnedSnapshot();
  }

  @Override
  public void close() throws Exception {
    env.close();
  }
}
