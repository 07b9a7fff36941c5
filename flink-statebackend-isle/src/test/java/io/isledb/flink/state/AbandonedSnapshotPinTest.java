package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.PinInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's asynchronous phase that pinned its version but does not hand its handle over
 * removes the pin itself: when it fails after the pin, and when Flink cancels it meanwhile (a
 * cancelled task, a job cancelled with a checkpoint in flight: Flink drops a cancelled phase's
 * result, so the handle never reaches the JobManager and nothing else would discard the pin before
 * its ttl, 7 days by default, leaving its tables in storage).
 */
class AbandonedSnapshotPinTest {
  @TempDir Path dir;

  @AfterEach
  void clearHooks() {
    TestHooks.reset();
  }

  @Test
  void aSnapshotCancelledAfterItsPinLeavesNoPin() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = backendWithState(kit);
      RunnableFuture<SnapshotResult<KeyedStateHandle>> f = snapshot(b, 1);
      TestHooks.afterPin = id -> f.cancel(false); // the task is cancelled while the pin is written
      f.run();
      assertThat(f.isCancelled()).isTrue();
      assertThat(pinNames(b)).isEmpty();
      // A snapshot that is not cancelled keeps its pin (the JobManager's after completion).
      TestHooks.reset();
      KeyedStateHandle kept = BackendTestKit.snapshot(b, 2);
      assertThat(kept).isNotNull();
      assertThat(pinNames(b)).hasSize(1);
      b.dispose();
    }
  }

  @Test
  void aSnapshotFailingAfterItsPinLeavesNoPin() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = backendWithState(kit);
      RunnableFuture<SnapshotResult<KeyedStateHandle>> f = snapshot(b, 1);
      TestHooks.afterPin =
          id -> {
            throw new IllegalStateException("induced after the pin of " + id);
          };
      f.run();
      assertThatThrownBy(f::get).hasRootCauseMessage("induced after the pin of 1");
      assertThat(pinNames(b)).isEmpty();
      b.dispose();
    }
  }

  private static IsleKeyedStateBackend<Integer> backendWithState(BackendTestKit kit)
      throws Exception {
    IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
    ValueState<Integer> s =
        b.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new ValueStateDescriptor<>("value", IntSerializer.INSTANCE));
    for (int k = 0; k < 50; k++) {
      b.setCurrentKey(k);
      s.update(k);
    }
    return b;
  }

  private static RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(
      IsleKeyedStateBackend<?> b, long id) throws Exception {
    return b.snapshot(id, id, null, CheckpointOptions.forCheckpointWithDefaultLocation());
  }

  private static List<String> pinNames(IsleKeyedStateBackend<?> b) {
    return b.db().pins().stream().map(PinInfo::name).sorted().toList();
  }
}
