package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectInfo;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Space reclamation and the request cost of compaction, GC and cold opens. */
class SpaceAndCostTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(2048);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<ObjectInfo> objects(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    store.list(prefix).forEachRemaining(out::add);
    return out;
  }

  @Test
  void deletingOrExpiringEverythingEndsNearZero() {
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(3))
            .withLogRetention(Duration.ofMinutes(5));
    Random rnd = new Random(17);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      long written = 0;
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 200; i++) {
          byte[] v = new byte[rnd.nextInt(10) == 0 ? 4096 : 100];
          rnd.nextBytes(v);
          written += v.length;
          if (i % 2 == 0) {
            w.put(b("key" + (round * 200 + i)), v);
          } else {
            w.put(b("key" + (round * 200 + i)), v, Duration.ofMinutes(30));
          }
        }
        w.flush();
        c.runOnce();
        clock.advance(Duration.ofSeconds(10));
      }
      long peak = objects("").stream().mapToLong(ObjectInfo::size).sum();
      assertThat(peak).isGreaterThan(written / 2);
      // Delete the even keys; the odd ones expire.
      for (int k = 0; k < 4000; k += 2) {
        w.delete(b("key" + k));
      }
      w.flush();
      clock.advance(Duration.ofHours(1));
      // Keep writing a little so compaction triggers and a bottommost merge happens.
      for (int i = 0; i < 4; i++) {
        w.put(b("tmp"), b("x"));
        w.delete(b("tmp"));
        w.flush();
      }
      while (c.runOnce().isPresent()) {
        // merge everything down
      }
      ManifestState s = new Manifest(store).loadLatest();
      assertThat(s.allTables()).as("all data dropped by the bottommost merge").isEmpty();
      for (int pass = 0; pass < 4; pass++) {
        gc.runOnce();
        clock.advance(Duration.ofMinutes(11));
      }
      assertThat(objects("sstable/")).isEmpty();
      assertThat(objects("blobs/")).isEmpty();
      long left = objects("").stream().mapToLong(ObjectInfo::size).sum();
      assertThat(left).as("bytes left of a peak of %d: %s", peak, objects("")).isLessThan(20_000);
      assertThat(objects("manifest/log/").size()).isLessThanOrEqualTo(dbo.snapshotEvery() + 2);
      assertThat(objects("manifest/snapshots/").size()).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void compactionCostIsOneReadPerSmallInputPlusItsOutputAndOneAppend() {
    DBOptions dbo = DBOptions.defaults().withClock(clock).withSnapshotEvery(1000);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(6))) {
      for (int t = 0; t < 6; t++) {
        for (int i = 0; i < 500; i++) {
          w.put(b("k" + t + "." + i), new byte[50]);
        }
        w.flush();
      }
      RequestStats before = store.stats();
      CompactionResult r = c.runOnce().orElseThrow();
      RequestStats cost = store.stats().minus(before);
      assertThat(r.inputTables()).isEqualTo(6);
      assertThat(cost.count(RequestKind.GET_RANGE))
          .as("one whole read per input: %s", cost.counts())
          .isEqualTo(6);
      assertThat(cost.count(RequestKind.UPLOAD)).isEqualTo(r.outputTables());
      assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).as("one log append").isEqualTo(1);
      assertThat(cost.count(RequestKind.PUT)).as("lease writes").isEqualTo(r.outputTables());
      assertThat(cost.count(RequestKind.DELETE)).as("lease removal").isEqualTo(1);
      // Catching up with the log before picking: one read per new edit plus the free slot.
      assertThat(cost.count(RequestKind.GET)).isEqualTo(6 + 1);
    }
  }

  @Test
  void steadyGcPassCostsAFewListsTwoPutsAndAStat() {
    DBOptions dbo = DBOptions.defaults().withClock(clock);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      for (int t = 0; t < 3; t++) {
        w.put(b("k" + t), b("v"));
        w.flush();
      }
      db.pin("p", w.lastCommittedVersion());
      gc.runOnce();
      RequestStats before = store.stats();
      gc.runOnce();
      RequestStats cost = store.stats().minus(before);
      // log, snapshots, pins, leases (one page each here); no sstable/ or blobs/ listing: nothing
      // changed since the previous pass listed them, less than a grace period ago
      // (GcIdleListing). The snapshot listing, taken after catching up, also decides whether GC
      // was left behind (Manifest.leftBehindListed): no CURRENT read and no second LIST for that.
      assertThat(cost.count(RequestKind.LIST_PAGE)).as("%s", cost.counts()).isEqualTo(4);
      // The free log slot, the pin, and CURRENT just before picking the base: the base never
      // passes the snapshot CURRENT names (PROTOCOL.md section 7).
      assertThat(cost.count(RequestKind.GET)).as("%s", cost.counts()).isEqualTo(3);
      assertThat(cost.count(RequestKind.PUT)).as("marks and progress").isEqualTo(2);
      // The store's modification time of the progress just written: the only way to learn a time
      // of the store's own clock, against which staged temporaries are judged (PROTOCOL.md §7).
      assertThat(cost.count(RequestKind.STAT)).as("store-clock witness").isEqualTo(1);
      assertThat(cost.total()).isEqualTo(10);
    }
  }

  /**
   * Commits enough for dozens of snapshots (snapshotEvery 32): the cost of a cold open must not
   * grow with them. 2,000 rather than 10,000 commits (67 s of CI for 10,000, about a fifth of the
   * CPU time for 2,000): the bound checked below is the same for any count past a few snapshots.
   */
  @Test
  void coldOpenAfterThousandsOfCommitsReadsOneSnapshotAndABoundedTail() {
    DBOptions dbo = DBOptions.defaults().withClock(clock);
    int commits = 2_000;
    assertThat(commits).as("commits span many snapshots").isGreaterThan(50 * dbo.snapshotEvery());
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo.withMemtableSize(64 * 1024))) {
      for (int i = 0; i < commits; i++) {
        w.put(b("k" + i), b("v"));
        w.flush();
      }
    }
    RequestStats before = store.stats();
    ManifestState s = new Manifest(store).loadLatest();
    RequestStats cost = store.stats().minus(before);
    assertThat(s.seq()).isGreaterThanOrEqualTo(commits);
    assertThat(cost.count(RequestKind.LIST_PAGE)).isZero();
    // CURRENT + one snapshot + at most snapshotEvery edits + the free slot
    assertThat(cost.count(RequestKind.GET)).isLessThanOrEqualTo(1 + 1 + dbo.snapshotEvery() + 1);
  }
}
