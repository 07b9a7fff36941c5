package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleResources;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memtable budget and block cache of a slot's backends come from the slot's managed memory by
 * default (shared by the slot's backends, given back when the last is disposed), from a fixed size
 * per slot if set, and from the task manager's shared sizes otherwise.
 */
class SlotMemoryTest {
  private static final long MANAGED = 1 << 20;
  private static final ValueStateDescriptor<String> VALUE =
      new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
  private static final String PAD = "v".repeat(1000);

  @TempDir Path dir;

  @Test
  void managedMemorySizesTheBudgetOfTheSlotsBackends() throws Exception {
    IsleStateBackend backend = backend(new Configuration());
    assertThat(backend.useManagedMemory()).isTrue();
    try (MockEnvironment env = MockEnvironment.builder().setManagedMemorySize(MANAGED).build()) {
      IsleKeyedStateBackend<Integer> a = create(backend, env, 1.0);
      IsleKeyedStateBackend<Integer> b = create(backend, env, 1.0);
      IsleResources slot = a.db().resources();
      assertThat(b.db().resources()).isSameAs(slot); // one share per slot
      assertThat(slot.options().memtableBudgetBytes()).isEqualTo(MANAGED / 2);
      assertThat(slot.options().blockCacheBytes()).isEqualTo(MANAGED / 2);
      assertThat(env.getMemoryManager().availableMemory()).isZero(); // reserved by the slot

      long before = a.db().bytesWritten();
      writeTwoMegabytes(a);
      // Far below the 64 MiB memtable, far above the slot's 512 KiB budget: the budget flushed.
      assertThat(a.db().bytesWritten()).isGreaterThan(before); // tables uploaded, no checkpoint
      assertThat(slot.memtableBytes()).isLessThanOrEqualTo(MANAGED / 2 + 4096);

      a.dispose();
      assertThat(env.getMemoryManager().availableMemory()).isZero(); // b still holds the slot
      b.dispose();
      assertThat(env.getMemoryManager().availableMemory()).isEqualTo(MANAGED);
      assertThat(SharedResources.references()).isZero();
    }
  }

  @Test
  void withoutManagedMemoryTheTaskManagersBudgetApplies() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.MEMORY_MANAGED, false);
    IsleStateBackend unmanaged = backend(config);
    assertThat(unmanaged.useManagedMemory()).isFalse();
    IsleStateBackend managed = backend(new Configuration());
    try (MockEnvironment env = MockEnvironment.builder().setManagedMemorySize(MANAGED).build()) {
      for (IsleStateBackend backend : List.of(unmanaged, managed)) {
        // Managed but given no fraction of the slot (no managed memory declared): the fallback.
        IsleKeyedStateBackend<Integer> b = create(backend, env, backend == managed ? 0.0 : 1.0);
        assertThat(b.db().resources().options().memtableBudgetBytes())
            .isEqualTo(64L << 20); // memtable.budget
        assertThat(env.getMemoryManager().availableMemory()).isEqualTo(MANAGED);
        long before = b.db().bytesWritten();
        writeTwoMegabytes(b);
        assertThat(b.db().bytesWritten()).isEqualTo(before); // within the 64 MiB budget: no flush
        b.dispose();
      }
    }
    assertThat(SharedResources.references()).isZero();
  }

  @Test
  void aFixedSizePerSlotOverridesManagedMemory() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT, MemorySize.parse("800kb"));
    config.set(IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO, 0.25);
    IsleStateBackend backend = backend(config);
    assertThat(backend.useManagedMemory()).isFalse();
    try (MockEnvironment env = MockEnvironment.builder().setManagedMemorySize(MANAGED).build()) {
      IsleKeyedStateBackend<Integer> b = create(backend, env, 1.0);
      assertThat(b.db().resources().options().memtableBudgetBytes()).isEqualTo(200 << 10);
      assertThat(b.db().resources().options().blockCacheBytes()).isEqualTo(600 << 10);
      assertThat(env.getMemoryManager().availableMemory()).isEqualTo(MANAGED);
      b.dispose();
    }
  }

  @Test
  void badMemorySettingsNameTheOption() {
    Configuration ratio = new Configuration();
    ratio.set(IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO, 1.5);
    assertThatThrownBy(() -> backend(ratio))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining(IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO.key());
    Configuration fixed = new Configuration();
    fixed.set(IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT, MemorySize.ZERO);
    assertThatThrownBy(() -> backend(fixed))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining(IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT.key());
  }

  private IsleStateBackend backend(Configuration extra) {
    Configuration config = new Configuration(extra);
    config.set(IsleStateBackendOptions.DIR, dir.toUri().toString());
    config.set(IsleStateBackendOptions.MEMTABLE_BUDGET, MemorySize.ofMebiBytes(64));
    config.set(IsleStateBackendOptions.GC_INTERVAL, java.time.Duration.ZERO);
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    return new IsleStateBackend().configure(config, getClass().getClassLoader());
  }

  private static IsleKeyedStateBackend<Integer> create(
      IsleStateBackend backend, MockEnvironment env, double fraction) throws Exception {
    return (IsleKeyedStateBackend<Integer>)
        backend.createKeyedStateBackend(
            new KeyedStateBackendParametersImpl<>(
                env,
                new JobID(),
                "test-operator",
                IntSerializer.INSTANCE,
                BackendTestKit.KEY_GROUPS,
                KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1),
                env.getTaskKvStateRegistry(),
                TtlTimeProvider.DEFAULT,
                new UnregisteredMetricsGroup(),
                (name, value) -> {},
                List.of(),
                new CloseableRegistry(),
                fraction));
  }

  private static void writeTwoMegabytes(IsleKeyedStateBackend<Integer> b) throws Exception {
    for (int k = 0; k < 2000; k++) {
      b.setCurrentKey(k);
      b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE)
          .update(PAD);
    }
  }
}
