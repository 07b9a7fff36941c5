package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitResult;
import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.RetentionResult;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Compaction, retention, GC, pins and external commits on the in-memory store, with a fake clock.
 */
class MaintenanceTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(7))
          .withSnapshotEvery(4)
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ZERO);
  private final IsleDB db = IsleDB.open(store, dbo);
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024);

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private List<String> scanAll(ReadView r) {
    List<String> out = new ArrayList<>();
    try (KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.add(s(kv.key()) + "=" + s(kv.value()));
      }
    }
    return out;
  }

  private ManifestState state() {
    return new Manifest(store).loadLatest();
  }

  private Set<String> objects(String prefix) {
    Set<String> out = new HashSet<>();
    store.list(prefix).forEachRemaining(o -> out.add(o.name()));
    return out;
  }

  @Test
  void mergeCompactionKeepsNewestValuesAndBoundsRuns() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
        Reader r = db.openReader(ReaderOptions.defaults())) {
      for (int round = 0; round < 40; round++) {
        for (int k = 0; k < 20; k++) {
          w.put(b("key" + (k * 7 + round) % 50), b("v" + round + "." + k));
        }
        w.flush();
        while (c.runOnce().isPresent()) {
          // compact everything that is due
        }
      }
      ManifestState s = state();
      assertThat(s.l0().size()).isLessThan(4);
      assertThat(s.runs().size()).isLessThanOrEqualTo(4);
      r.refresh();
      // Expected: the last round that wrote each key wins.
      java.util.TreeMap<String, String> model = new java.util.TreeMap<>();
      for (int round = 0; round < 40; round++) {
        for (int k = 0; k < 20; k++) {
          model.put("key" + (k * 7 + round) % 50, "v" + round + "." + k);
        }
      }
      List<String> expected = new ArrayList<>();
      model.forEach((k, v) -> expected.add(k + "=" + v));
      assertThat(scanAll(r)).containsExactlyElementsOf(expected);
      for (var e : model.entrySet()) {
        assertThat(r.get(b(e.getKey())).map(MaintenanceTest::s)).contains(e.getValue());
      }
    }
  }

  @Test
  void bottommostCompactionDropsTombstonesAndExpiredEntries() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      for (int i = 0; i < 100; i++) {
        w.put(b("k" + i), b("v" + i));
      }
      w.flush();
      for (int i = 0; i < 100; i++) {
        if (i % 2 == 0) {
          w.delete(b("k" + i));
        } else {
          w.put(b("k" + i), b("t" + i), Duration.ofSeconds(5));
        }
      }
      w.flush();
      clock.advance(Duration.ofSeconds(6));
      CompactionResult res = c.runOnce().orElseThrow();
      assertThat(res.bottommost()).isTrue();
      assertThat(res.entriesRead()).isEqualTo(200);
      assertThat(res.entriesWritten()).isZero();
      assertThat(state().allTables()).isEmpty();
    }
  }

  @Test
  void gcDeletesOnlyAfterGraceAndConvergesToTheLiveSet() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(3));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults());
        Reader r = db.openReader(ReaderOptions.defaults())) {
      byte[] big = new byte[5000];
      for (int round = 0; round < 6; round++) {
        big[0] = (byte) round;
        w.put(b("blob" + round), big.clone());
        // The same value again is stored once (recent uploads are reused).
        w.put(b("same" + round), big.clone());
        for (int k = 0; k < 10; k++) {
          w.put(b("k" + k), b("r" + round));
        }
        w.flush();
        clock.advance(Duration.ofSeconds(1));
      }
      c.runOnce().orElseThrow();
      r.refresh();
      GcResult first = gc.runOnce();
      assertThat(first.deletedTables()).isZero();
      assertThat(first.newlyMarked()).isGreaterThan(0);
      clock.advance(Duration.ofMinutes(9));
      assertThat(gc.runOnce().deletedTables()).as("still within grace").isZero();
      clock.advance(Duration.ofMinutes(2));
      GcResult second = gc.runOnce();
      assertThat(second.deletedTables()).isGreaterThan(0);
      ManifestState s = state();
      Set<String> live = new HashSet<>();
      s.allTables().forEach(t -> live.add(t.objectName()));
      assertThat(objects(ManifestPaths.SST_DIR)).isEqualTo(live);
      assertThat(objects(ManifestPaths.BLOB_DIR)).hasSize(6);
      // Reads still work on a fresh reader (the old one refreshed before GC ran).
      try (Reader fresh = db.openReader(ReaderOptions.defaults())) {
        assertThat(fresh.get(b("k3")).map(MaintenanceTest::s)).contains("r5");
        big[0] = 2;
        assertThat(fresh.get(b("blob2"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
        assertThat(fresh.get(b("same2"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
      }
      // Overwrite the blobs: the old blob objects become garbage too.
      for (int round = 0; round < 6; round++) {
        w.delete(b("blob" + round));
        w.delete(b("same" + round));
      }
      w.flush();
      for (int i = 0; i < 2; i++) {
        w.put(b("filler" + i), b("x"));
        w.flush();
      }
      CompactionResult merged = c.runOnce().orElseThrow();
      assertThat(merged.bottommost()).isTrue();
      while (c.runOnce().isPresent()) {
        // compact
      }
      // Pass 1 still sees the replaced run inside the log window; pass 2 (window moved past it)
      // marks the blobs; pass 3, a grace period later, deletes them.
      for (int pass = 0; pass < 3; pass++) {
        gc.runOnce();
        clock.advance(Duration.ofMinutes(11));
      }
      assertThat(objects(ManifestPaths.BLOB_DIR)).isEmpty();
    }
  }

  @Test
  void gcReclaimsOrphansOfAbandonedUploads() {
    try (Writer w = db.openWriter(wo);
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      // An upload nobody commits: an abandoned external writer.
      try (SstWriter sw =
          db.newSstWriter(
              SstWriterOptions.defaults().withLeaseTtl(Duration.ZERO).withBlobThreshold(1024))) {
        sw.put(b("x"), b("y"));
        sw.put(b("blob"), new byte[4096]);
        sw.finish();
      }
      assertThat(objects(ManifestPaths.SST_DIR)).hasSize(2);
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
      gc.runOnce(); // lease seen unchanged for the grace period: dead
      clock.advance(Duration.ofMinutes(11));
      GcResult r = gc.runOnce();
      assertThat(r.deletedTables()).isEqualTo(1);
      assertThat(r.deletedBlobs()).isEqualTo(1);
      assertThat(objects(ManifestPaths.SST_DIR))
          .containsExactly(state().allTables().get(0).objectName());
      assertThat(objects("manifest/leases/")).isEmpty();
    }
  }

  @Test
  void pinnedVersionSurvivesCompactionAndGc() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults());
        Reader r = db.openReader(ReaderOptions.defaults())) {
      w.put(b("a"), b("old"));
      w.put(b("b"), b("old"));
      w.flush();
      long pinned = w.lastCommittedVersion();
      db.pin("checkpoint-1", pinned);
      assertThat(db.pins()).containsEntry("checkpoint-1", pinned);
      w.put(b("a"), b("new"));
      w.delete(b("b"));
      w.flush();
      c.runOnce().orElseThrow();
      collect(gc);
      try (ReadView old = r.openVersion(pinned)) {
        assertThat(scanAll(old)).containsExactly("a=old", "b=old");
      }
      r.refresh();
      assertThat(scanAll(r)).containsExactly("a=new");
      db.unpin("checkpoint-1");
      collect(gc);
      Set<String> live = headTables();
      assertThat(objects(ManifestPaths.SST_DIR)).isEqualTo(live);
      assertThatThrownBy(() -> r.openVersion(pinned).scan(null, null).forEachRemaining(kv -> {}))
          .isInstanceOf(IsleException.class);
    }
  }

  /** Three GC passes a grace period apart: marks, deletions, and deletions those freed. */
  private void collect(GarbageCollector gc) {
    for (int i = 0; i < 3; i++) {
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
    }
  }

  /** Object names of the newest version's tables. */
  private Set<String> headTables() {
    Set<String> out = new HashSet<>();
    state().allTables().forEach(t -> out.add(t.objectName()));
    return out;
  }

  /** Overwrites keys k0..k9 {@code rounds} times, compacting and collecting after each round. */
  private void churn(Writer w, Compactor c, GarbageCollector gc, int from, int rounds) {
    for (int round = from; round < from + rounds; round++) {
      for (int k = 0; k < 10; k++) {
        w.put(b("k" + k), b("r" + round));
      }
      w.flush();
      while (c.runOnce().isPresent()) {
        // compact everything that is due
      }
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
    }
  }

  @Test
  void aVersionPinHeldLongKeepsOnlyItsOwnVersion() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      churn(w, c, gc, 0, 1);
      long pinned = w.lastCommittedVersion();
      db.pin("checkpoint-1", pinned);
      churn(w, c, gc, 1, 40);
      gc.runOnce();

      // Exactly the tables of the head and of the pinned version: nothing written in between.
      Set<String> live = headTables();
      Set<String> expected = new HashSet<>(live);
      for (ManifestCodec.Pin p : Pins.read(store)) {
        p.state().allTables().forEach(t -> expected.add(t.objectName()));
      }
      assertThat(objects(ManifestPaths.SST_DIR)).isEqualTo(expected);
      assertThat(expected.size() - live.size()).as("the pinned version's own tables").isPositive();
      assertThat(objects(ManifestPaths.LOG_DIR))
          .as("the log is collected past the pin")
          .hasSizeLessThanOrEqualTo(dbo.snapshotEvery() + 1)
          .doesNotContain(ManifestPaths.log(pinned), ManifestPaths.log(pinned + 1));

      // A reader opened long after still opens the pinned version, from the pin itself.
      try (Reader r = db.openReader(ReaderOptions.defaults());
          ReadView old = r.openVersion(pinned)) {
        List<String> want = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
          want.add("k" + k + "=r0");
        }
        assertThat(scanAll(old)).containsExactlyElementsOf(want);
        assertThat(scanAll(r)).contains("k0=r40").hasSize(10);
        assertThatThrownBy(() -> r.openVersion(pinned + 1))
            .isInstanceOf(IsleException.class)
            .hasMessageContaining("no longer retained");
      }
      db.unpin("checkpoint-1");
      collect(gc);
      assertThat(objects(ManifestPaths.SST_DIR)).isEqualTo(live);
    }
  }

  @Test
  void aHistoryPinKeepsEveryVersionAfterIt() {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      churn(w, c, gc, 0, 1);
      long pinned = w.lastCommittedVersion();
      db.pinHistory("consumer", pinned);
      assertThat(db.pins()).containsEntry("consumer", pinned);
      churn(w, c, gc, 1, 20);
      long head = w.lastCommittedVersion();
      for (long v = pinned + 1; v <= head; v++) {
        assertThat(store.get(ManifestPaths.log(v))).as("log edit %d", v).isPresent();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        for (long v = pinned; v <= head; v++) {
          try (ReadView view = r.openVersion(v)) {
            assertThat(scanAll(view)).as("version %d", v).hasSize(10);
          }
        }
      }
      // Moving the pin forward releases what lies before it.
      db.pinHistory("consumer", head);
      collect(gc);
      assertThat(store.get(ManifestPaths.log(pinned + 1))).isEmpty();
      Set<String> live = headTables();
      assertThat(objects(ManifestPaths.SST_DIR)).isEqualTo(live);
    }
  }

  @Test
  void retentionByAgeDropsOldTablesButKeepsTheNewestCount() {
    try (Writer w = db.openWriter(wo);
        RetentionCompactor rc =
            db.openRetentionCompactor(RetentionCompactorOptions.byAge(Duration.ofHours(1), 2))) {
      for (int i = 0; i < 5; i++) {
        w.put(b("e" + i), b("x"));
        w.flush();
        clock.advance(Duration.ofMinutes(30));
      }
      // Data times: t0, +30m, +60m, +90m, +120m; now = +150m; cutoff = +90m.
      RetentionResult res = rc.runOnce().orElseThrow();
      assertThat(res.droppedTables()).isEqualTo(3);
      assertThat(state().allTables()).hasSize(2);
      assertThat(rc.runOnce()).isEmpty();
      clock.advance(Duration.ofHours(10));
      assertThat(rc.runOnce()).as("keeps at least 2 tables").isEmpty();
    }
  }

  @Test
  void retentionByTimeWindowDropsWholeSegments() {
    try (Writer w = db.openWriter(wo);
        RetentionCompactor rc =
            db.openRetentionCompactor(
                RetentionCompactorOptions.byTimeWindow(
                    Duration.ofDays(2), Duration.ofDays(1), 10))) {
      clock.set(Duration.ofDays(100).toMillis());
      for (int day = 0; day < 5; day++) {
        for (int j = 0; j < 2; j++) {
          w.put(b("d" + day + "." + j), b("x"));
          w.flush();
          clock.advance(Duration.ofHours(6));
        }
        clock.advance(Duration.ofHours(12));
      }
      // Segments (days) 100..104, now in day 105: cutoff day 103 -> days 100, 101, 102 end by it.
      RetentionResult res = rc.runOnce().orElseThrow();
      assertThat(res.droppedTables()).isEqualTo(6);
      List<String> keys = new ArrayList<>();
      for (SstMeta t : state().allTables()) {
        keys.add(s(t.smallestKey()));
      }
      assertThat(keys).containsExactlyInAnyOrder("d3.0", "d3.1", "d4.0", "d4.1");
    }
  }

  @Test
  void externalCommitsAreAtomicOrderedAndIdempotent() {
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      SstWriter a = db.newSstWriter(SstWriterOptions.defaults());
      a.put(b("k1"), b("a1"));
      a.put(b("k2"), b("a2"));
      SstWriter bw = db.newSstWriter(SstWriterOptions.defaults().withSortedInput(true));
      bw.put(b("k2"), b("b2"));
      bw.put(b("k3"), b("b3"));
      assertThatThrownBy(() -> bw.put(b("k0"), b("x")))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("does not follow");
      List<SstHandle> handles = new ArrayList<>(a.finish());
      handles.addAll(bw.finish());
      // Handles travel as bytes, as in Flink committables.
      List<SstHandle> shipped = new ArrayList<>();
      handles.forEach(h -> shipped.add(SstHandle.fromBytes(h.toBytes())));
      CommitResult first = db.commit(shipped, "job-1:cp-1");
      assertThat(first.duplicate()).isFalse();
      CommitResult again = db.commit(shipped, "job-1:cp-1");
      assertThat(again).isEqualTo(new CommitResult(first.version(), true));
      r.refresh();
      assertThat(scanAll(r)).containsExactly("k1=a1", "k2=b2", "k3=b3");
      assertThat(objects("manifest/leases/")).isEmpty();
      // A later commit shadows the earlier one.
      SstWriter c = db.newSstWriter(SstWriterOptions.defaults());
      c.delete(b("k1"));
      c.put(b("k3"), b("c3"));
      db.commit(c.finish(), "job-1:cp-2");
      r.refresh();
      assertThat(scanAll(r)).containsExactly("k2=b2", "k3=c3");
      // Through an open writer: writes before the commit are older than it.
      try (Writer w = db.openWriter(wo)) {
        w.put(b("k2"), b("w2"));
        SstWriter d = db.newSstWriter(SstWriterOptions.defaults());
        d.put(b("k2"), b("d2"));
        db.commit(d.finish(), "job-1:cp-3");
        w.put(b("k3"), b("w3"));
        w.flush();
      }
      r.refresh();
      assertThat(scanAll(r)).containsExactly("k2=d2", "k3=w3");
    }
  }

  @Test
  void coldOpenAfterManyCommitsReadsOneSnapshotAndABoundedTail() {
    try (Writer w = db.openWriter(wo)) {
      for (int i = 0; i < 300; i++) {
        w.put(b("k" + i), b("v"));
        w.flush();
      }
    }
    long before = store.stats().gets();
    ManifestState s = new Manifest(store).loadLatest();
    long gets = store.stats().gets() - before;
    assertThat(s.seq()).isGreaterThanOrEqualTo(300);
    // CURRENT + one snapshot + at most snapshotEvery (4) edits + the free slot.
    assertThat(gets).isLessThanOrEqualTo(1 + 1 + 4 + 1);
  }

  @Test
  void optionsRejectBadValuesWithSpecificErrors() {
    assertThatThrownBy(() -> CompactorOptions.defaults().withL0Trigger(0))
        .hasMessageContaining("l0Trigger");
    assertThatThrownBy(() -> RetentionCompactorOptions.byAge(Duration.ZERO, 1))
        .hasMessageContaining("retentionPeriod");
    assertThatThrownBy(() -> db.pin("a/b", 0)).hasMessageContaining("pin name");
    assertThatThrownBy(() -> db.pin("p", 99)).hasMessageContaining("newest version is");
    assertThat(Optional.of(1)).isPresent();
  }
}
