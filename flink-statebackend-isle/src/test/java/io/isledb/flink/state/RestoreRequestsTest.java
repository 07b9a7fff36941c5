package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failover (restore at the same parallelism) costs a small constant number of storage requests
 * until the first state access, whatever the number of tables the checkpoint's version holds: the
 * issue asks for O(number of source databases) small requests, not O(state size).
 */
class RestoreRequestsTest {
  /** Checkpoints taken while building: each flushes one table (compaction off). */
  static final int TABLES = 60;

  /**
   * Requests from the start of a restore until its first state access returned: the newest snapshot
   * (a LIST and a GET), the log after it (a LIST, then at most {@link Maintenance#SNAPSHOT_EVERY}
   * edits, read at once), the settings, the fence, the pin, the restore edit, its snapshot and
   * CURRENT, and for the first read one table's tail (footer, index, filter) and one block: 11 plus
   * up to 8 log edits and a block. Before, the log tail alone was up to 32 GETs one after the other
   * (the engine's default snapshot spacing).
   */
  static final long BOUND = 20;

  @TempDir Path dir;

  /** The kit whose backends the test builds and restores (file:// here). */
  protected BackendTestKit kit() {
    return new BackendTestKit(dir, RescaleByForkTest.quiet());
  }

  /** How many tables the restored checkpoint's version holds. */
  protected int tables() {
    return TABLES;
  }

  @Test
  void sameParallelismRestoreCostsRequestsIndependentOfTheTableCount() throws Exception {
    int tables = tables();
    try (BackendTestKit kit = kit()) {
      KeyGroupRange all = KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1);
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, all, List.of());
      KeyedStateHandle handle = null;
      for (int t = 0; t < tables; t++) {
        for (int k = t * 8; k < t * 8 + 8; k++) {
          RescaleByForkTest.put(b, k, RescaleByForkTest.valueOf(k));
        }
        handle = BackendTestKit.snapshot(b, t + 1);
      }
      b.dispose();
      IsleKeyedStateBackend<Integer> r = kit.create(IntSerializer.INSTANCE, all, List.of(handle));
      int newest = tables * 8 - 1;
      assertThat(RescaleByForkTest.get(r, newest)).isEqualTo(RescaleByForkTest.valueOf(newest));
      RequestStats stats = r.db().stats();
      r.dispose();
      assertThat(stats.total())
          .as("requests of a restore of %s tables until its first state access: %s", tables, stats)
          .isLessThanOrEqualTo(BOUND);
    }
  }
}
