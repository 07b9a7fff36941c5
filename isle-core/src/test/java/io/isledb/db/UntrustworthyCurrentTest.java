package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CURRENT is a hint that can be missing or move backwards (a rewrite sent by a stalled process that
 * lands after newer ones). Authors opening, and a garbage collector paused while a successor
 * collected the log, must not act on the old head it suggests.
 */
class UntrustworthyCurrentTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final Manifest ms = new Manifest(store);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(17))
          .withSnapshotEvery(1000)
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ZERO);

  private static void flushOne(Writer w, int i) {
    w.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1});
    w.flush();
  }

  /**
   * GC collected the log up to its snapshot; then a CURRENT naming an old version (whose snapshot a
   * killed GC left behind) lands late. An author opening now must start from the true head, not
   * write its fence into the collected slot after the old version.
   */
  @Test
  void anAuthorOpeningUnderABackwardsCurrentDoesNotFenceIntoACollectedSlot() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      flushOne(w, 0);
      ManifestState old = ms.loadLatest();
      for (int i = 1; i <= 4; i++) {
        flushOne(w, i);
      }
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
      gc.runOnce();
      assertThat(store.get(ManifestPaths.log(old.seq() + 1))).as("collected").isEmpty();
      long head = ms.loadLatest().seq();

      ms.writeSnapshot(old, clock.millis());
      ms.writeCurrent(new ManifestCodec.Current(old.seq(), old.seq(), -1, -1, clock.millis()));

      try (IsleDB other = IsleDB.open(store, dbo);
          Compactor c = other.openCompactor(CompactorOptions.defaults())) {
        assertThat(store.get(ManifestPaths.log(old.seq() + 1)))
            .as("the compactor's fence did not land in the collected slot")
            .isEmpty();
        ManifestState now = ms.loadVersion(head + 1);
        assertThat(ms.readEdit(head + 2)).isEmpty();
        assertThat(now.epoch(Role.COMPACTOR)).isEqualTo(1);
      }
    }
  }

  /**
   * A garbage collector paused while a successor fenced it and collected the log: with CURRENT
   * missing (ABFS's delete-then-rename window), it must still notice and stop.
   */
  @Test
  void aPausedGarbageCollectorNoticesItWasFencedWithoutCurrent() {
    try (IsleDB db = IsleDB.open(store, dbo);
        IsleDB zombieDb = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      flushOne(w, 0);
      GarbageCollector zombie = zombieDb.openGarbageCollector(GcOptions.defaults());
      zombie.runOnce();
      try (GarbageCollector successor = db.openGarbageCollector(GcOptions.defaults())) {
        for (int i = 1; i <= 5; i++) {
          flushOne(w, i);
        }
        successor.runOnce();
        clock.advance(Duration.ofMinutes(11));
        successor.runOnce();
      }
      store.delete(ManifestPaths.CURRENT);
      Set<String> live = LiveObjects.referencedData(store);
      clock.advance(Duration.ofMinutes(11));
      assertThatThrownBy(zombie::runOnce).isInstanceOf(FencedException.class);
      assertThat(LiveObjects.listing(store)).containsAll(live);
      zombie.close();
    }
  }
}
