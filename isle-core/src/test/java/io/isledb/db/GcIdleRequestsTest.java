package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests of GC passes over a database on file:// that does not change, one pass per simulated
 * minute (the state backend's default interval). file:// lists directory by directory, and every
 * table lives in a shard folder of its own: a pass listed the tables (1 + one LIST per table) and
 * walked the whole prefix again for abandoned temporaries, 53 LISTs per idle pass for 20 tables,
 * where s3a lists flat (one LIST per 1,000 objects). Now an idle pass lists only the manifest's
 * folders, and the tables and temporaries once per grace period.
 */
class GcIdleRequestsTest {
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final int TABLES = 20;

  @TempDir Path dir;

  @Test
  void idlePassesListOnlyTheManifestUntilAGracePeriodPassed() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db", Map.of());
        IsleDB db = IsleDB.open(store, options(clock));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      load(w);
      RequestStats first = pass(gc, store, clock);
      assertThat(first.count(RequestKind.LIST_PAGE))
          .as("the first pass lists every table folder: %s", first)
          .isGreaterThan(TABLES);
      long idleLists = 0;
      long idleRequests = 0;
      for (int minute = 1; minute < GRACE.toMinutes(); minute++) {
        RequestStats idle = pass(gc, store, clock);
        assertThat(idle.count(RequestKind.LIST_PAGE))
            .as("LISTs of idle minute %d: %s", minute, idle)
            .isLessThanOrEqualTo(4);
        idleLists += idle.count(RequestKind.LIST_PAGE);
        idleRequests += idle.total();
      }
      System.out.printf("idle minutes 1-9: %d LISTs, %d requests%n", idleLists, idleRequests);
      assertThat(idleRequests).as("requests per idle minute").isLessThanOrEqualTo(9 * 9);
      RequestStats afterGrace = pass(gc, store, clock);
      assertThat(afterGrace.count(RequestKind.LIST_PAGE))
          .as("a grace period after the last listing, a pass lists again: %s", afterGrace)
          .isGreaterThan(TABLES);
    }
  }

  @Test
  void anOrphanUploadedWhileIdleIsStillDeleted() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db", Map.of());
        IsleDB db = IsleDB.open(store, options(clock));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      load(w);
      pass(gc, store, clock);
      pass(gc, store, clock); // idle: no listing
      // A table a dead writer uploaded and never committed: the live set does not change.
      String orphan = ManifestPaths.sst("0123456789abcdef0123456789abcdef");
      store.put(orphan, new byte[] {1, 2, 3});
      int minutes = 0;
      while (store.stat(orphan).isPresent()) {
        assertThat(minutes)
            .as("the orphan is deleted within two grace periods")
            .isLessThanOrEqualTo((int) (2 * GRACE.toMinutes()) + 1);
        pass(gc, store, clock);
        minutes++;
      }
      assertThat(minutes)
          .as("deleted only after a grace period")
          .isGreaterThan((int) GRACE.toMinutes());
    }
  }

  @Test
  void aChangedLiveSetIsListedAtOnce() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db", Map.of());
        IsleDB db = IsleDB.open(store, options(clock));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      load(w);
      pass(gc, store, clock);
      assertThat(pass(gc, store, clock).count(RequestKind.LIST_PAGE)).isLessThanOrEqualTo(4);
      w.put("new".getBytes(StandardCharsets.UTF_8), new byte[] {2});
      w.flush();
      assertThat(pass(gc, store, clock).count(RequestKind.LIST_PAGE))
          .as("a new table: the pass lists")
          .isGreaterThan(TABLES);
    }
  }

  private static DBOptions options(MutableClock clock) {
    return DBOptions.defaults()
        .withClock(clock)
        .withIdSource(Ids.seededSource(7))
        .withGcGracePeriod(GRACE);
  }

  private static void load(Writer w) {
    for (int i = 0; i < TABLES; i++) {
      w.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1});
      w.flush();
    }
  }

  /** One pass, then a simulated minute; returns the pass's requests. */
  private static RequestStats pass(GarbageCollector gc, ObjectStore store, MutableClock clock) {
    RequestStats before = store.stats();
    gc.runOnce();
    clock.advance(Duration.ofMinutes(1));
    return store.stats().minus(before);
  }
}
