package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore at the same parallelism reopens the checkpoint's database in place. Each restore
 * publishes a few manifest edits (the fence, the rollback): restoring the same checkpoint again and
 * again (failovers, benchmark runs) must not make every later restore replay a longer manifest log.
 */
class RestoreCostTest {
  @TempDir Path dir;

  @Test
  void repeatedRestoresOfOneCheckpointDoNotGrowInRequests() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, RescaleByForkTest.quiet())) {
      KeyGroupRange all = KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1);
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, all, List.of());
      for (int k = 0; k < 100; k++) {
        RescaleByForkTest.put(b, k, RescaleByForkTest.valueOf(k));
      }
      KeyedStateHandle handle = BackendTestKit.snapshot(b, 1);
      b.dispose();
      List<Long> requests = new ArrayList<>();
      // Enough restores to publish more edits than a manifest snapshot interval (32).
      for (int i = 0; i < 24; i++) {
        IsleKeyedStateBackend<Integer> r = kit.create(IntSerializer.INSTANCE, all, List.of(handle));
        assertThat(RescaleByForkTest.get(r, 7)).isEqualTo(RescaleByForkTest.valueOf(7));
        requests.add(r.db().stats().total());
        r.dispose();
      }
      long first = requests.get(0);
      assertThat(requests.subList(requests.size() - 4, requests.size()))
          .as("requests of each restore up to its first state access: %s", requests)
          .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(first + 8));
    }
  }
}
