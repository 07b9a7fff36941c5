package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.MutableClock;
import io.isledb.testing.SkewedClock;
import io.isledb.testing.StoreSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Item 6 of issue 8: every role, and the store's modification times, on its own clock, skewed
 * against the others by hours in both directions. GC must delete nothing the independent {@link
 * LiveSetOracle} says is live, and must still converge to exactly the live set.
 */
class GcClockSkewTest {
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration RETENTION = Duration.ofMinutes(30);

  /** The true time; every role's clock is this plus its skew. */
  private final MutableClock trueTime = new MutableClock(1_700_000_000_000L);

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private Clock skewed(int hours) {
    return new SkewedClock(trueTime, Duration.ofHours(hours));
  }

  private DBOptions options(Clock c, int idSeed) {
    return DBOptions.defaults()
        .withClock(c)
        .withIdSource(Ids.seededSource(idSeed))
        .withSnapshotEvery(4)
        .withGcGracePeriod(GRACE)
        .withLogRetention(RETENTION);
  }

  private static long temporaries(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "gc {0}h, writer {1}h, store {2}h")
  @CsvSource({"0, 2, -3", "0, -2, 3", "5, -1, 0", "-4, 4, 1", "3, 0, -6"})
  void skewedRolesLoseNothingAndConverge(int gcSkew, int writerSkew, int storeSkew) {
    long seed = 31L * gcSkew + 7L * writerSkew + storeSkew;
    String ctx =
        "seed "
            + seed
            + " (gc "
            + gcSkew
            + "h, writer "
            + writerSkew
            + "h, store "
            + storeSkew
            + "h)";
    Random rnd = new Random(seed);
    InMemoryObjectStore store = new InMemoryObjectStore(skewed(storeSkew));
    LiveSetOracle oracle = new LiveSetOracle(store, trueTime, GRACE, RETENTION);
    WriterOptions wo =
        WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024);
    try (IsleDB writerDb = IsleDB.open(store, options(skewed(writerSkew), 5));
        IsleDB gcDb = IsleDB.open(store, options(skewed(gcSkew), 6));
        Writer w = writerDb.openWriter(wo);
        Compactor c = writerDb.openCompactor(CompactorOptions.defaults().withL0Trigger(3));
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      for (int step = 0; step < 40; step++) {
        for (int i = 0; i < 20; i++) {
          byte[] v = new byte[rnd.nextInt(8) == 0 ? 2048 : 40];
          rnd.nextBytes(v);
          w.put(b("k" + rnd.nextInt(200)), v);
        }
        w.flush();
        oracle.observe();
        c.runOnce();
        oracle.observe();
        if (step % 2 == 0) {
          gc.runOnce();
          oracle.assertNothingLiveMissing(ctx + ", step " + step);
        }
        trueTime.advance(Duration.ofMinutes(2));
      }
      // Idle: GC must reach exactly the live set within the log retention plus a few grace periods.
      boolean converged = false;
      for (int pass = 0; pass < 30 && !converged; pass++) {
        trueTime.advance(Duration.ofMinutes(5));
        gc.runOnce();
        oracle.assertNothingLiveMissing(ctx + ", idle pass " + pass);
        converged = oracle.listedData().equals(oracle.convergedData());
      }
      assertThat(oracle.listedData()).as(ctx).isEqualTo(oracle.convergedData());
      List<String> log = new ArrayList<>();
      store.list(ManifestPaths.LOG_DIR).forEachRemaining(o -> log.add(o.name()));
      assertThat(log).as("%s: old log edits collected", ctx).hasSizeLessThanOrEqualTo(4 + 2);
      try (Reader r = writerDb.openReader(ReaderOptions.defaults())) {
        try (KvIterator it = r.scan(new byte[0], null)) {
          it.forEachRemaining(kv -> {}); // every live table and blob readable
        }
      }
    }
  }

  /**
   * Item 6b: marks written by a GC on a host whose clock is 3 hours behind must not be reused by
   * the next GC instance: read with its clock, they would be 3 hours old and an upload its writer
   * is about to commit would be deleted at once.
   */
  @Test
  void aNewGcInstanceDoesNotReuseMarksOfAnotherHostsClock() throws Exception {
    InMemoryObjectStore store = new InMemoryObjectStore(trueTime);
    LiveSetOracle oracle = new LiveSetOracle(store, trueTime, GRACE, RETENTION);
    RequestGate commitPause = new RequestGate(Op.CREATE_IF_ABSENT, ManifestPaths.LOG_DIR);
    try (IsleDB writerDb =
            IsleDB.open(new HookedObjectStore(store, commitPause), options(trueTime, 5));
        IsleDB oldHost = IsleDB.open(store, options(skewed(-3), 6));
        IsleDB newHost = IsleDB.open(store, options(trueTime, 7));
        Writer w = writerDb.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      w.put(b("a"), b("1"));
      w.flush();
      oracle.observe();
      commitPause.armed.set(true);
      w.put(b("b"), b("2"));
      CompletableFuture<Void> flush = CompletableFuture.runAsync(w::flush, threads);
      RequestGate.await(commitPause.reached);
      try (GarbageCollector gc = oldHost.openGarbageCollector(GcOptions.defaults())) {
        assertThat(gc.runOnce().newlyMarked()).as("the upload about to be committed").isEqualTo(1);
      }
      trueTime.advance(Duration.ofMinutes(1));
      try (GarbageCollector gc = newHost.openGarbageCollector(GcOptions.defaults())) {
        GcResult r = gc.runOnce();
        assertThat(r.deletedTables()).as("%s", r).isZero();
        commitPause.release.countDown();
        flush.get(60, TimeUnit.SECONDS);
        oracle.assertNothingLiveMissing("after the commit");
        for (int i = 0; i < 8; i++) {
          trueTime.advance(GRACE);
          gc.runOnce();
          oracle.assertNothingLiveMissing("pass " + i);
        }
        assertThat(oracle.listedData()).isEqualTo(oracle.convergedData());
      }
    }
  }

  /**
   * Item 6c: a pinner whose clock is 3 hours behind the writer's. The old rule measured the age of
   * the pinned version's edit as the pinner's clock minus the writer's edit time: here negative, so
   * it accepted a history pin of a version that a GC pass (which had read the pins just before) was
   * moving its retained window past, deleting the log edits the pin promises to keep. The pin must
   * be refused, and leave no pin behind.
   */
  @Test
  void aPinnerWithASlowClockCannotPinAVersionGcIsCollecting() throws Exception {
    InMemoryObjectStore store = new InMemoryObjectStore(trueTime);
    LiveSetOracle oracle = new LiveSetOracle(store, trueTime, GRACE, RETENTION);
    RequestGate afterPins =
        new RequestGate(Op.LIST, "", Op.LIST, ManifestPaths.PINS_DIR); // stall right after pins
    try (IsleDB writerDb = IsleDB.open(store, options(trueTime, 5));
        IsleDB gcDb = IsleDB.open(new HookedObjectStore(store, afterPins), options(trueTime, 6));
        IsleDB pinnerDb = IsleDB.open(store, options(skewed(-3), 7));
        Writer w = writerDb.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Compactor c = writerDb.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      w.put(b("b"), b("2"));
      w.flush();
      long target = w.lastCommittedVersion();
      assertThat(c.runOnce()).isPresent(); // the target's two tables are merged away
      oracle.observe();
      // GC passes every 5 minutes; the target's edit stays in the window for the log retention.
      for (int pass = 0; pass <= 6; pass++) {
        gc.runOnce();
        oracle.assertNothingLiveMissing("pass " + pass);
        trueTime.advance(Duration.ofMinutes(5));
      }
      // 35 minutes on: the next pass moves its window past the target. It reads the pins, then
      // stalls; the pin is written meanwhile.
      afterPins.armAfter();
      CompletableFuture<GcResult> moving = CompletableFuture.supplyAsync(gc::runOnce, threads);
      RequestGate.await(afterPins.reached);
      try {
        assertThatThrownBy(() -> pinnerDb.pinHistory("p", target))
            .isInstanceOf(IsleException.class)
            .hasMessageContaining("cannot pin version " + target);
        assertThat(pinnerDb.pins()).as("a refused pin leaves nothing behind").isEmpty();
      } finally {
        afterPins.release.countDown();
      }
      moving.get(60, TimeUnit.SECONDS);
      oracle.assertNothingLiveMissing("after the stalled pass");
    }
  }

  /**
   * Item 6c, the other direction: a pinner whose clock is 3 hours ahead pins a version superseded a
   * minute ago (the old rule refused it as 3 hours old), and GC keeps that version readable for as
   * long as the pin exists, while collecting everything else.
   */
  @Test
  void aPinnerWithAFastClockPinsARecentVersionThatStaysReadable() {
    InMemoryObjectStore store = new InMemoryObjectStore(skewed(-2));
    LiveSetOracle oracle = new LiveSetOracle(store, trueTime, GRACE, RETENTION);
    try (IsleDB writerDb = IsleDB.open(store, options(trueTime, 5));
        IsleDB gcDb = IsleDB.open(store, options(skewed(-1), 6));
        IsleDB pinnerDb = IsleDB.open(store, options(skewed(3), 7));
        Writer w = writerDb.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Compactor c = writerDb.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      long target = w.lastCommittedVersion();
      trueTime.advance(Duration.ofMinutes(1));
      w.put(b("a"), b("2"));
      w.flush();
      pinnerDb.pin("old", target); // superseded a minute ago
      pinnerDb.pinHistory("head", w.lastCommittedVersion()); // the head: always accepted
      pinnerDb.unpin("head");
      assertThat(c.runOnce()).isPresent();
      oracle.observe();
      for (int pass = 0; pass < 24; pass++) {
        trueTime.advance(Duration.ofMinutes(5));
        gc.runOnce();
        oracle.assertNothingLiveMissing("pass " + pass);
      }
      assertThat(oracle.listedData()).isEqualTo(oracle.convergedData());
      try (Reader r = writerDb.openReader(ReaderOptions.defaults())) {
        ReadView v = r.openVersion(target);
        assertThat(v.get(b("a")).orElseThrow()).isEqualTo(b("1"));
      }
    }
  }

  /**
   * Item 6a for staged writes on file://: the file system stamps a temporary with its own clock. A
   * GC whose clock is 5 hours ahead of it must not take an upload in progress for one abandoned 5
   * hours ago; once the upload is really abandoned for a grace period (by GC's clock), it goes.
   */
  @Test
  void temporariesAreJudgedByTheStoresOwnClockOnFileSystems(@TempDir Path dir) {
    // The file system's clock is the machine's; GC's fake clock starts 5 hours after it.
    MutableClock gcClock =
        new MutableClock(System.currentTimeMillis() + Duration.ofHours(5).toMillis());
    try (ObjectStore store = StoreSpec.local(dir, "db").open();
        IsleDB db = IsleDB.open(store, options(gcClock, 5).withLogRetention(Duration.ZERO));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      String name = ManifestPaths.sst("0123456789abcdef0123456789abcdef");
      ObjectUpload upload = store.startUpload(name); // staged in a hidden temporary file
      upload.write(new byte[100], 0, 100);
      gc.runOnce();
      gcClock.advance(Duration.ofMinutes(1));
      gc.runOnce();
      upload.write(new byte[100], 0, 100);
      upload.complete();
      upload.close();
      assertThat(store.stat(name)).as("the upload in progress survived GC").isPresent();
      store.delete(name);

      ObjectUpload abandoned =
          store.startUpload(ManifestPaths.sst("fedcba9876543210fedcba9876543210"));
      abandoned.write(new byte[100], 0, 100);
      int passes = 0;
      while (passes < 5 && temporaries(dir) > 0) {
        gcClock.advance(GRACE);
        gc.runOnce();
        passes++;
      }
      assertThat(temporaries(dir)).as("the abandoned temporary was collected").isZero();
      abandoned.close();
    }
  }
}
