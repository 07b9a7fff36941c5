package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of a backend that wrote nothing since the previous one publishes no new version: it
 * only pins the head again (one PUT). Before, every checkpoint rewrote the backend's metadata
 * record, so an idle job flushed a one-entry table and committed a version per checkpoint (7
 * requests per idle checkpoint here, 14-30 per checkpoint of the idle 2-subtask benchmark job).
 */
class IdleCheckpointCostTest {
  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  @TempDir Path dir;

  @Test
  void anIdleCheckpointOnlyPinsTheHead() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO); // no background requests
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      ValueState<Integer> state =
          b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
      b.setCurrentKey(1);
      state.update(1);
      long busy = version(BackendTestKit.snapshot(b, 1));
      b.notifyCheckpointComplete(1);

      for (long checkpoint = 2; checkpoint <= 4; checkpoint++) {
        RequestStats before = b.db().stats();
        long idle = version(BackendTestKit.snapshot(b, checkpoint));
        b.notifyCheckpointComplete(checkpoint);
        RequestStats cost = b.db().stats().minus(before);
        assertThat(idle).as("version of idle checkpoint %d", checkpoint).isEqualTo(busy);
        assertThat(cost.total()).as("requests of idle checkpoint %d: %s", checkpoint, cost).isOne();
        assertThat(cost.puts()).as("its pin").isOne();
      }

      // A write after idle checkpoints is in the next checkpoint's (new) version.
      state.update(2);
      long next = version(BackendTestKit.snapshot(b, 5));
      assertThat(next).isGreaterThan(busy);
      b.dispose();
    }
  }

  @Test
  void aNewStateAfterAnIdleCheckpointRewritesTheMetadata() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO);
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
      long first = version(BackendTestKit.snapshot(b, 1));
      assertThat(version(BackendTestKit.snapshot(b, 2))).isEqualTo(first);
      // Registering a state changes the metadata record: the next checkpoint must hold it.
      b.getPartitionedState(
          VoidNamespace.INSTANCE,
          VoidNamespaceSerializer.INSTANCE,
          new ValueStateDescriptor<>("other", IntSerializer.INSTANCE));
      assertThat(version(BackendTestKit.snapshot(b, 3))).isGreaterThan(first);
      b.dispose();
    }
  }

  private static long version(org.apache.flink.runtime.state.KeyedStateHandle h) throws Exception {
    return IsleCheckpoint.of(h).orElseThrow().getVersion();
  }
}
