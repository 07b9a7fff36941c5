package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitResult;
import io.isledb.CommittedLsnExtractor;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes that were idle while GC collected the log after their version (a reader that did not
 * refresh, a compactor with nothing to do) must notice when they come back, even when CURRENT's
 * snapshot field lags behind: with an LSN extractor every author rewrites CURRENT after every edit,
 * naming the last snapshot <em>it</em> wrote, which can be older than the one GC based its
 * deletions on. A free slot after their version then looks like the end of the log. A reader would
 * serve a stale version as the newest; an author would write its edit into the collected slot,
 * where nobody ever reads it: a commit that is silently lost.
 */
class StrandedAfterCollectionTest {
  @TempDir Path cache;

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(5))
          .withLsnExtractor(CommittedLsnExtractor.bigEndianUint64())
          .withSnapshotEvery(1000)
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ZERO);

  private long lsn;

  private void flushOne(Writer w) {
    w.put(ByteBuffer.allocate(8).putLong(++lsn).array(), new byte[] {1});
    w.flush();
  }

  @Test
  void idleReaderAndCompactorNoticeTheirLogWasCollected() {
    try (IsleDB db = IsleDB.open(store, dbo);
        IsleDB compactorDb = IsleDB.open(store, dbo);
        IsleDB readerDb = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      flushOne(w);
      Compactor compactor = compactorDb.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
      Reader reader = readerDb.openReader(ReaderOptions.defaults().withCacheDir(cache));
      long idleAt = reader.version();
      assertThat(compactor.runOnce()).as("nothing to compact yet").isEmpty();

      // While both are idle: more flushes, GC snapshots the head and collects the old log.
      for (int i = 0; i < 5; i++) {
        flushOne(w);
      }
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
      gc.runOnce();
      Manifest ms = new Manifest(store);
      assertThat(store.get(ManifestPaths.log(idleAt + 1)))
          .as("the slot after the idle processes' version was collected")
          .isEmpty();
      // The writer's next edit rewrites CURRENT naming its own (older) last snapshot.
      flushOne(w);
      ManifestCodec.Current current = ms.readCurrent().orElseThrow();
      assertThat(current.snapshotSeq()).as("CURRENT's snapshot lags").isLessThanOrEqualTo(idleAt);
      long head = ms.loadLatest().seq();

      assertThat(reader.refresh()).as("the idle reader's refresh").isEqualTo(head);
      assertThat(compactor.runOnce()).as("the idle compactor compacts the newest L0").isPresent();
      ManifestState after = ms.loadLatest();
      assertThat(after.seq()).as("the compaction is the next edit").isEqualTo(head + 1);
      assertThat(after.runs()).as("its run is visible").hasSize(1);
      assertThat(store.get(ManifestPaths.log(idleAt + 1)))
          .as("nobody wrote into the collected slot")
          .isEmpty();
      reader.close();
      compactor.close();
    }
  }

  private List<SstHandle> external(IsleDB db, String key) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      sw.put(key.getBytes(StandardCharsets.UTF_8), new byte[] {7});
      return sw.finish();
    }
  }

  /**
   * An external committer (a Flink sink committing at every checkpoint) idle for longer than the
   * log retention: without the check its next commit would land in a collected slot and be lost.
   */
  @Test
  void idleCommitterDoesNotCommitIntoACollectedSlot() {
    DBOptions plain = dbo.withLsnExtractor(null);
    try (IsleDB committer = IsleDB.open(store, plain);
        IsleDB maintenance = IsleDB.open(store, plain);
        Reader reader = maintenance.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
      long idleAt = 0;
      for (int i = 0; i < 4; i++) {
        idleAt = committer.commit(external(committer, "k" + i), "checkpoint-" + i).version();
      }
      try (Compactor compactor =
              maintenance.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
          GarbageCollector gc = maintenance.openGarbageCollector(GcOptions.defaults())) {
        assertThat(compactor.runOnce()).isPresent();
        gc.runOnce();
        clock.advance(Duration.ofMinutes(11));
        gc.runOnce();
      }
      assertThat(store.get(ManifestPaths.log(idleAt + 1))).as("collected").isEmpty();
      long head = new Manifest(store).loadLatest().seq();

      CommitResult r = committer.commit(external(committer, "after-the-pause"), "checkpoint-4");
      assertThat(r.version()).as("the commit is the next edit").isEqualTo(head + 1);
      assertThat(store.get(ManifestPaths.log(idleAt + 1)))
          .as("nobody wrote into the collected slot")
          .isEmpty();
      reader.refresh();
      assertThat(reader.get("after-the-pause".getBytes(StandardCharsets.UTF_8)))
          .as("the commit is visible")
          .isPresent();
    }
  }

  /**
   * A garbage collector paused while another GC instance took over and collected the log (its fence
   * included) must notice it was fenced, not compute the live set from a stale version.
   */
  @Test
  void pausedGarbageCollectorNoticesItWasFenced() {
    DBOptions plain = dbo.withLsnExtractor(null);
    try (IsleDB db = IsleDB.open(store, plain);
        IsleDB zombieDb = IsleDB.open(store, plain);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      flushOne(w);
      GarbageCollector zombie = zombieDb.openGarbageCollector(GcOptions.defaults());
      zombie.runOnce();
      try (GarbageCollector successor = db.openGarbageCollector(GcOptions.defaults())) {
        for (int i = 0; i < 5; i++) {
          flushOne(w);
        }
        successor.runOnce();
        clock.advance(Duration.ofMinutes(11));
        successor.runOnce();
      }
      for (int i = 0; i < 3; i++) {
        flushOne(w);
      }
      Set<String> live = LiveObjects.referencedData(store);
      assertThatThrownBy(zombie::runOnce).isInstanceOf(FencedException.class);
      clock.advance(Duration.ofMinutes(11));
      assertThatThrownBy(zombie::runOnce).isInstanceOf(FencedException.class);
      assertThat(LiveObjects.listing(store)).containsAll(live);
      zombie.close();
    }
  }
}
