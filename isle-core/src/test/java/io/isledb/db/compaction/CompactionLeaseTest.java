package io.isledb.db.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.manifest.Lease;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import io.isledb.testing.MutableClock;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * A lease renewal that started before its compaction released the lease (the keeper's run was
 * waiting for the lease's lock while the release held it) runs after the release: it must write
 * nothing, or the lease object outlives its compaction (and keeps GC from the outputs for another
 * grace period, or lands in a directory being deleted after close).
 */
class CompactionLeaseTest {
  @Test
  void aRenewalRunningAfterTheReleaseWritesNothing() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    Queue<String> writes = new ConcurrentLinkedQueue<>();
    HookedObjectStore store =
        new HookedObjectStore(
            new InMemoryObjectStore(clock),
            (op, phase, name) -> {
              if (phase == Phase.AFTER && (op == Op.PUT || op == Op.DELETE)) {
                writes.add(op + " " + name);
              }
            });
    ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor();
    try {
      DbContext ctx = new DbContext(store, DBOptions.defaults().withClock(clock));
      CompactionLease lease =
          new CompactionLease(
              ctx,
              "compactor-t",
              keeper,
              (why, cause) -> new IsleException(IsleException.Kind.UNAVAILABLE, why, cause));
      String name = Lease.objectName("compactor-t");
      lease.add("ced0c4c55245fed79d8d79445901cb8c");
      lease.release();
      lease.refreshNow(); // the renewal that was waiting for the lock
      assertThat(List.copyOf(writes)).containsExactly("PUT " + name, "DELETE " + name);
      assertThat(store.stat(name)).as("lease object after the release").isEmpty();
    } finally {
      keeper.shutdownNow();
      store.close();
    }
  }
}
