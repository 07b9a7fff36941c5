package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A GC killed in the middle of deleting old log edits and snapshots (found by the long maintenance
 * crash run): the edits went first, an older snapshot stayed. The next GC instance must start from
 * a snapshot the log continues from, not from that orphan, where its replay would stop at a stale
 * version and report itself fenced on every restart.
 */
class GcRestartTest {
  @Test
  void gcRestartsAfterAKillBetweenDeletingEditsAndSnapshots() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(3))
            .withSnapshotEvery(3)
            .withGcGracePeriod(Duration.ofMinutes(10))
            .withLogRetention(Duration.ZERO);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int i = 0; i < 10; i++) {
        w.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1});
        w.flush();
      }
      Manifest ms = new Manifest(store);
      long head = ms.loadLatest().seq();
      long oldSnapshot = ms.listSnapshots().get(0);
      long newSnapshot = ms.listSnapshots().get(ms.listSnapshots().size() - 1);
      assertThat(oldSnapshot).isLessThan(newSnapshot);
      // What a GC killed mid-deletion leaves: edits up to the newest snapshot gone, the oldest
      // snapshot still there.
      for (long s = 1; s <= newSnapshot; s++) {
        store.delete(ManifestPaths.log(s));
      }
      try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        assertThat(gc.runOnce().version()).isEqualTo(head + 1); // its own fence
        clock.advance(Duration.ofMinutes(11));
        gc.runOnce();
      }
      assertThat(store.get(ManifestPaths.snapshot(oldSnapshot)))
          .as("the orphaned snapshot is collected")
          .isEmpty();
    }
  }
}
