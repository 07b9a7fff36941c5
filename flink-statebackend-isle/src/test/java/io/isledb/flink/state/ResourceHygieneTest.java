package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleResources;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many checkpoint/restore cycles of keyed backends in one JVM (one task manager) leave the open
 * FileSystems (storage connection pools), threads and file handles flat: every backend gives back
 * what it opened (its store, writer, compactor and GC) when it is disposed.
 */
class ResourceHygieneTest {
  // 60 cycles after the warm-up: a leak of one thread per cycle (or per 8, the manifest snapshot
  // spacing) exceeds the thread slack (4), one file handle per cycle the handle slack (16).
  private static final int CYCLES = 80;
  private static final int WARM_UP = 20;
  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  @TempDir Path dir;

  @Test
  void manyCheckpointRestoreCyclesLeaveFileSystemsThreadsAndFileHandlesFlat() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, BackendMaintenanceTest.fastGc())) {
      cycles(kit, CYCLES, WARM_UP, true);
    }
  }

  /**
   * Runs {@code cycles} checkpoint/restore cycles beside a long-lived backend and asserts that open
   * FileSystems, threads and file handles after them are those after {@code warmUp} cycles (small
   * slack). {@code discard}: the subsumed handle is discarded as the JobManager does (needs a Flink
   * FileSystem for the pin's scheme).
   */
  static void cycles(BackendTestKit kit, int cycles, int warmUp, boolean discard) throws Exception {
    {
      // A long-lived backend of another operator keeps the task manager's shared resources open,
      // as on a real task manager; the cycles run beside it.
      IsleKeyedStateBackend<Integer> neighbour = kit.create(IntSerializer.INSTANCE);
      IsleResources resources = neighbour.db().resources();
      KeyGroupRange range = KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1);
      KeyedStateHandle last = null;
      int fileSystems = -1;
      int threads = -1;
      long fds = -1;
      for (int cycle = 1; cycle <= cycles; cycle++) {
        IsleKeyedStateBackend<Integer> b =
            kit.create(IntSerializer.INSTANCE, range, last == null ? List.of() : List.of(last));
        ValueState<Integer> s =
            b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
        b.setCurrentKey(7);
        Integer previous = s.value();
        assertThat(previous).isEqualTo(cycle == 1 ? null : cycle - 1);
        s.update(cycle);
        KeyedStateHandle next = BackendTestKit.snapshot(b, cycle);
        b.notifyCheckpointComplete(cycle);
        b.dispose();
        if (last != null && discard) {
          last.discardState(); // subsumed
        }
        last = next;
        if (cycle == warmUp) {
          fileSystems = resources.openFileSystems();
          threads = liveThreads();
          fds = openFileHandles();
        }
      }
      assertThat(SharedResources.references()).isEqualTo(1); // the neighbour's
      assertThat(resources.openFileSystems())
          .as("open FileSystems after %d cycles (after %d: %d)", cycles, warmUp, fileSystems)
          .isLessThanOrEqualTo(fileSystems)
          .isLessThanOrEqualTo(1);
      // Shared pools create threads on first use up to their fixed sizes; nothing per backend.
      assertThat(liveThreads())
          .as("live threads after %d cycles (after %d: %d)", cycles, warmUp, threads)
          .isLessThanOrEqualTo(threads + 4);
      if (fds >= 0) {
        assertThat(openFileHandles())
            .as("open file handles after %d cycles (after %d: %d)", cycles, warmUp, fds)
            .isLessThanOrEqualTo(fds + 16);
      }
      // With the shared resources still held here, the neighbour's dispose closes the last store:
      // a store that any cycle left open would keep its FileSystem open (reference-counted).
      IsleResources held = SharedResources.acquire(resources.options());
      try {
        neighbour.dispose();
        assertThat(held.openFileSystems())
            .as("FileSystems open after every backend closed")
            .isZero();
      } finally {
        SharedResources.release(held);
      }
      assertThat(SharedResources.references()).isZero();
    }
  }

  private static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** Open file descriptors of this process (Linux), or -1 where /proc is missing. */
  private static long openFileHandles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }
}
