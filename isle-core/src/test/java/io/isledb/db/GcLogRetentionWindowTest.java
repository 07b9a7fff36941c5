package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Found by {@link LateWriteSoakTest}: GC deleted the log edit that held its retained window back.
 * The window starts at the oldest log edit GC first saw less than the log retention ago; GC then
 * deleted every edit at or below the base once it had seen it for the grace period, that edit
 * included, so the next pass no longer knew it and moved the base one snapshot further. With
 * frequent passes the base ratcheted to the head in a few passes, and the tables of versions well
 * within the log retention were collected (and their log edits, which tailing readers read).
 */
class GcLogRetentionWindowTest {
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration RETENTION = Duration.ofMinutes(30);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void versionsWithinTheLogRetentionKeepTheirTablesAndEditsHoweverOftenGcRuns() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    LiveSetOracle oracle = new LiveSetOracle(store, clock, GRACE, RETENTION);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(1))
            .withSnapshotEvery(1)
            .withGcGracePeriod(GRACE)
            .withLogRetention(RETENTION);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      // Versions 2..5 add one table each (1 is the writer's fence); 6 compacts them away.
      for (int i = 0; i < 4; i++) {
        w.put(b("k" + i), b("v" + i));
        w.flush();
      }
      assertThat(c.runOnce()).isPresent();
      long head = db.currentVersion();
      oracle.observe();
      gc.runOnce(); // first sightings of every edit
      clock.advance(GRACE.plusMinutes(1));
      // A pass a minute, for less than the log retention since the versions were made.
      for (int pass = 0; pass < 18; pass++) {
        gc.runOnce();
        oracle.assertNothingLiveMissing("pass " + pass + " at minute " + (11 + pass));
        clock.advance(Duration.ofMinutes(1));
      }
      TreeSet<String> log = new TreeSet<>();
      store.list(ManifestPaths.LOG_DIR).forEachRemaining(o -> log.add(o.name()));
      assertThat(log)
          .as("log edits younger than the log retention")
          .contains(ManifestPaths.log(2), ManifestPaths.log(head));
    }
  }
}
