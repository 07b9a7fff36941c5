package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When GC stamps its marks, checked with a GC pass stalled between its phases and a writer paused
 * between its upload and its commit (items 1 and 14a of issue 8), against the independent {@link
 * LiveSetOracle}.
 */
class GcMarkTimingTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final ExecutorService threads = Executors.newCachedThreadPool();

  private static void await(CountDownLatch l) {
    RequestGate.await(l);
  }

  private DBOptions options() {
    return DBOptions.defaults()
        .withClock(clock)
        .withIdSource(Ids.seededSource(11))
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  /**
   * Item 1: the pass starts at T0, stalls after catching up (before listing tables), a writer
   * uploads at T0 + 6 min and pauses before its commit; the pass lists the upload and marks it. The
   * next pass at T0 + 10 min must not delete it: the upload is only 4 min old, within its writer's
   * commit deadline (half the grace period), and the writer then commits it.
   */
  @Test
  void aMarkIsNeverOlderThanTheListingThatFoundTheObject() throws Exception {
    RequestGate gcStall = new RequestGate(Op.LIST, ManifestPaths.SST_DIR);
    RequestGate commitPause = new RequestGate(Op.CREATE_IF_ABSENT, ManifestPaths.LOG_DIR);
    LiveSetOracle oracle = new LiveSetOracle(store, clock, GRACE, Duration.ZERO);
    WriterOptions wo =
        WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024);
    try (IsleDB writerDb = IsleDB.open(new HookedObjectStore(store, commitPause), options());
        IsleDB gcDb = IsleDB.open(new HookedObjectStore(store, gcStall), options());
        Writer w = writerDb.openWriter(wo);
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      gc.runOnce();
      oracle.observe();
      // A table since that pass's listing, so that pass 1 lists (GcIdleListing: a pass over an
      // unchanged live set may skip the listing).
      w.put(b("a2"), b("1"));
      w.flush();
      oracle.observe();

      gcStall.armed.set(true);
      CompletableFuture<GcResult> pass1 = CompletableFuture.supplyAsync(gc::runOnce, threads);
      await(gcStall.reached); // pass 1 started at T0 and caught up; it has not listed tables yet
      clock.advance(Duration.ofMinutes(6));
      commitPause.armed.set(true);
      w.put(b("b"), new byte[4096]); // a blob and a table
      CompletableFuture<Void> flush = CompletableFuture.runAsync(w::flush, threads);
      await(commitPause.reached); // uploaded at T0 + 6 min, commit not sent yet
      gcStall.release.countDown();
      assertThat(pass1.get(60, TimeUnit.SECONDS).newlyMarked())
          .as("pass 1 saw the uncommitted upload (table and blob)")
          .isEqualTo(2);

      clock.advance(Duration.ofMinutes(4)); // T0 + 10 min: a grace period after the pass started
      GcResult pass2 = gc.runOnce();
      assertThat(pass2.deletedTables() + pass2.deletedBlobs())
          .as("an upload 4 min old is within its commit deadline: %s", pass2)
          .isZero();
      commitPause.release.countDown();
      flush.get(60, TimeUnit.SECONDS); // committed 4 min after the upload started
      oracle.assertNothingLiveMissing("after the commit");
      try (Reader r = writerDb.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("b")).orElseThrow()).hasSize(4096);
      }

      for (int i = 0; i < 4; i++) {
        clock.advance(GRACE);
        gc.runOnce();
        oracle.assertNothingLiveMissing("pass " + i + " after the commit");
      }
      assertThat(oracle.listedData()).isEqualTo(oracle.convergedData());
    }
  }

  /**
   * Item 14a: a table is marked while it is an uncommitted upload, then committed and compacted
   * away before the next pass. That old mark says nothing about how long the table has been dead:
   * the next pass must give readers of the versions that held it a grace period, not delete it at
   * once.
   */
  @Test
  void aMarkFromBeforeATablesCommitDoesNotSurviveTheCommit() throws Exception {
    RequestGate commitPause = new RequestGate(Op.CREATE_IF_ABSENT, ManifestPaths.LOG_DIR);
    LiveSetOracle oracle = new LiveSetOracle(store, clock, GRACE, Duration.ZERO);
    WriterOptions wo =
        WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024);
    try (IsleDB writerDb = IsleDB.open(new HookedObjectStore(store, commitPause), options());
        IsleDB db = IsleDB.open(store, options());
        Writer w = writerDb.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      oracle.observe();

      commitPause.armed.set(true);
      w.put(b("b"), new byte[4096]);
      CompletableFuture<Void> flush = CompletableFuture.runAsync(w::flush, threads);
      await(commitPause.reached);
      assertThat(gc.runOnce().newlyMarked()).as("the upload and its blob").isEqualTo(2);
      oracle.observe();

      clock.advance(Duration.ofMinutes(1));
      commitPause.release.countDown();
      flush.get(60, TimeUnit.SECONDS);
      oracle.observe();
      clock.advance(Duration.ofMinutes(1));
      assertThat(c.runOnce()).as("both tables merged").isPresent();
      oracle.observe(); // the version holding the new table stopped being the newest now

      clock.advance(Duration.ofMinutes(8)); // the old mark is 10 min old, the table dead 8 min
      gc.runOnce();
      oracle.assertNothingLiveMissing("8 min after the table was compacted away");
      for (int i = 0; i < 4; i++) {
        clock.advance(GRACE);
        gc.runOnce();
        oracle.assertNothingLiveMissing("pass " + i);
      }
      assertThat(oracle.listedData()).isEqualTo(oracle.convergedData());
    }
  }
}
