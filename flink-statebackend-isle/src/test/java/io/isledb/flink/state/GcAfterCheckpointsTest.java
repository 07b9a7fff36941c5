package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.RequestStats.RequestKind;
import io.isledb.testing.Awaiting;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gc.after-checkpoints}: a backend without periodic GC asks for a pass on the shared
 * compaction threads after every N completed checkpoints.
 */
class GcAfterCheckpointsTest {
  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  @TempDir Path dir;

  @Test
  void everySecondCompletedCheckpointRunsAPass() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO); // no periodic passes
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    config.set(IsleStateBackendOptions.GC_AFTER_CHECKPOINTS, 2);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      for (long checkpoint = 1; checkpoint <= 2; checkpoint++) {
        b.setCurrentKey((int) checkpoint);
        b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE)
            .update((int) checkpoint);
        BackendTestKit.snapshot(b, checkpoint);
        long lists = lists(b);
        b.notifyCheckpointComplete(checkpoint);
        if (checkpoint == 2) {
          // A GC pass lists the database's objects; nothing else of this backend lists.
          Awaiting.until(
              () -> lists(b) > lists,
              Duration.ofSeconds(60),
              () -> "a GC pass after checkpoint 2 (LIST requests " + lists(b) + ")");
        }
      }
      b.dispose();
    }
  }

  @Test
  void aNegativeCountNamesTheOption() {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.GC_AFTER_CHECKPOINTS, -1);
    assertThatThrownBy(() -> new IsleStateBackend().configure(config, getClass().getClassLoader()))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining(IsleStateBackendOptions.GC_AFTER_CHECKPOINTS.key());
    assertThat(IsleStateBackendOptions.GC_AFTER_CHECKPOINTS.defaultValue()).isZero();
  }

  private static long lists(IsleKeyedStateBackend<?> b) {
    return b.db().stats().count(RequestKind.LIST_PAGE);
  }
}
