package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.db.LiveObjects;
import io.isledb.db.Pins;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.SstMeta;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import io.isledb.testing.ProgressSignal;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader holding an old, pinned version keeps reading exactly that version while the writer
 * overwrites and deletes everything, the compactor merges it away and GC collects every other old
 * object (issue 4), on s3a. The clock is a {@link MutableClock} shared by every component and moved
 * forward by the test, so grace periods pass in milliseconds; it moves only between the flushes,
 * compactions and GC passes (a fair read-write lock: each of those holds it shared, an advance
 * holds it exclusively), so no commit deadline depends on how fast the threads happen to run. Idle
 * roles wait for the writer's next batch instead of sleeping. The pinned view reads through a store
 * that reports any read finding an object missing, with no caches, so every read reaches storage.
 * After unpinning, GC converges to exactly the live set of the newest version.
 */
class PinnedReaderITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path cache;

  @Test
  void pinnedVersionStaysReadableWhileCompactionAndGcRun() throws Exception {
    long seed = Seeds.seed(4_404L);
    String ctx = "seed " + seed;
    MutableClock clock = new MutableClock(System.currentTimeMillis());
    DBOptions dbo =
        ManifestStoreSpec.current()
            .options()
            .withClock(clock)
            .withIdSource(Ids.seededSource(seed))
            .withSnapshotEvery(4)
            .withGcGracePeriod(Duration.ofMinutes(10))
            .withLogRetention(Duration.ZERO);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withBlobThreshold(4096)
            .withBlockSize(4096);
    BatchWorkload work = new BatchWorkload(seed, "w/", 150, 30, 6000, 12);
    StoreSpec spec = StoreSpec.s3(S3, "pinned");
    Queue<String> missing = new ConcurrentLinkedQueue<>();
    HookedObjectStore.Hook detectMissing = HookedObjectStore.recordMissingData(missing);
    try (ObjectStore store = spec.open();
        ManifestStore manifest = ManifestStoreSpec.current().open(store);
        ObjectStore readerStore = new HookedObjectStore(spec.open(), detectMissing);
        IsleDB db = IsleDB.open(store, dbo);
        Reader reader =
            IsleDB.openReader(
                readerStore,
                ReaderOptions.defaults()
                    .withCacheDir(cache)
                    .withBlockCacheBytes(0)
                    .withDiskCacheBytes(0)
                    .withSmallTableBytes(0),
                dbo)) {
      Writer writer = db.openWriter(wo);
      long pinnedBatch = 12;
      // Before the pin, compaction already makes some tables obsolete: GC may collect those while
      // the pin is held, and also every table written and compacted away after the pin (a version
      // pin keeps only its own version).
      try (Compactor early =
          db.openCompactor(
              CompactorOptions.defaults().withL0Trigger(3).withTargetTableSize(32 << 10))) {
        for (long b = 1; b <= pinnedBatch; b++) {
          work.write(writer, b);
          writer.flush();
          early.runOnce();
        }
      }
      long pinned = writer.lastCommittedVersion();
      db.pin("held-by-reader", pinned);
      ReadView view = reader.openVersion(pinned);
      check(view, work, pinnedBatch, ctx + ", pinned view before maintenance");

      // Writer, compactor and GC run while the test checks the pinned view again and again and
      // moves the clock on; until GC has deleted tables (those obsolete before the pin).
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong acked = new AtomicLong(pinnedBatch);
      AtomicLong compactions = new AtomicLong();
      AtomicLong gcDeletedTables = new AtomicLong();
      // Held shared while a flush, compaction or GC pass runs; the clock moves only exclusively.
      ReadWriteLock time = new ReentrantReadWriteLock(true);
      ProgressSignal progress = new ProgressSignal();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> futures = new ArrayList<>();
      try (Compactor compactor =
              db.openCompactor(
                  CompactorOptions.defaults().withL0Trigger(3).withTargetTableSize(32 << 10));
          GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        // A first pass marks what was obsolete before the pin; a grace period later, the passes
        // running beside the writer and the compactor may delete it.
        gc.runOnce();
        clock.advance(Duration.ofMinutes(10));
        futures.add(
            progress.submit(
                pool,
                () -> {
                  while (!stop.get()) {
                    long next = acked.get() + 1;
                    underLock(
                        time.readLock(),
                        () -> {
                          work.write(writer, next);
                          writer.flush();
                        });
                    acked.set(next);
                    progress.signal();
                  }
                }));
        futures.add(
            progress.submit(
                pool,
                () -> {
                  while (!stop.get()) {
                    long seen = progress.generation();
                    boolean busy =
                        underLock(time.readLock(), () -> compactor.runOnce().isPresent());
                    if (busy) {
                      compactions.incrementAndGet();
                    } else {
                      awaitNextBatch(progress, seen, stop, ctx + ": idle compactor");
                    }
                  }
                }));
        futures.add(
            progress.submit(
                pool,
                () -> {
                  while (!stop.get()) {
                    long seen = progress.generation();
                    GcResult r = underLock(time.readLock(), gc::runOnce);
                    gcDeletedTables.addAndGet(r.deletedTables());
                    // Time passes for GC too, between passes and never during a flush.
                    underLock(time.writeLock(), () -> clock.advance(Duration.ofMinutes(1)));
                    // One pass per batch of the writer.
                    awaitNextBatch(progress, seen, stop, ctx + ": GC");
                  }
                }));
        int checks = 0;
        long minBatches = pinnedBatch + (Seeds.longRun() ? 300 : 25);
        // Counted in batches, not time: the roles must have done their part well before this.
        long batchLimit = pinnedBatch + (minBatches - pinnedBatch) * 10;
        while (gcDeletedTables.get() == 0 || compactions.get() < 3 || acked.get() < minBatches) {
          long seen = progress.generation();
          for (Future<?> f : futures) {
            if (f.isDone()) {
              f.get();
            }
          }
          check(view, work, pinnedBatch, ctx + ", held pinned view, check " + checks);
          if (checks % 5 == 0) {
            try (ReadView again = reader.openVersion(pinned)) {
              check(again, work, pinnedBatch, ctx + ", pinned version reopened, check " + checks);
            }
          }
          checks++;
          // A quarter of the grace period per check, between flushes: a flush never sees the clock
          // move, so the writer's commit deadline is never at risk.
          underLock(time.writeLock(), () -> clock.advance(Duration.ofMinutes(2).plusSeconds(30)));
          assertThat(acked.get())
              .as(
                  "%s: progress within %d batches (compactions %d, GC deleted %d)",
                  ctx, batchLimit, compactions.get(), gcDeletedTables.get())
              .isLessThanOrEqualTo(batchLimit);
          // The next check once the writer wrote another batch.
          awaitNextBatch(progress, seen, stop, ctx + ": checks of the pinned view");
        }
        stop.set(true);
        progress.signal();
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
        System.out.printf(
            "pinned reader: %s: %d checks of the pinned view while %d batches, %d compactions and"
                + " GC deleting %d tables ran%n",
            ctx, checks, acked.get() - pinnedBatch, compactions.get(), gcDeletedTables.get());
        assertThat(checks)
            .as("%s: checks of the pinned view during maintenance", ctx)
            .isGreaterThan(5);
      } finally {
        stop.set(true);
        progress.signal();
        pool.shutdownNow();
      }
      check(view, work, pinnedBatch, ctx + ", pinned view after maintenance");
      assertThat(missing).as("%s: reads that found an object missing", ctx).isEmpty();
      Set<String> listing = LiveObjects.listing(store, manifest);
      assertThat(listing)
          .as("%s: everything the newest and the pinned version reference", ctx)
          .containsAll(LiveObjects.referencedData(store, manifest));

      Manifest ms = new Manifest(manifest);
      ManifestState pinnedState = Pins.read(manifest).get(0).state();
      assertThat(pinnedState.seq()).isEqualTo(pinned);
      for (SstMeta t : pinnedState.allTables()) {
        assertThat(listing).as("%s: pinned table %s", ctx, t.id()).contains(t.objectName());
      }
      writer.close();

      // While the pin is still held, GC converges to exactly the data of the newest and the pinned
      // version: nothing written between them survives.
      try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        for (int i = 0; i < 2; i++) {
          gc.runOnce();
          clock.advance(Duration.ofMinutes(11));
        }
        gc.runOnce();
      }
      Set<String> data = new TreeSet<>();
      for (String name : LiveObjects.listing(store, manifest)) {
        if (!name.startsWith("manifest/")) {
          data.add(name);
        }
      }
      assertThat(data)
          .as("%s: data objects while pinned", ctx)
          .isEqualTo(LiveObjects.referencedData(store, manifest));
      check(view, work, pinnedBatch, ctx + ", pinned view after GC converged");
      try (ReadView again = reader.openVersion(pinned)) {
        check(again, work, pinnedBatch, ctx + ", pinned version opened after GC converged");
      }
      view.close();

      // Unpin: GC converges to exactly the live set of the newest version.
      db.unpin("held-by-reader");
      try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        // Mark, let the grace period pass, delete; once more for what the first deletions freed.
        for (int i = 0; i < 2; i++) {
          gc.runOnce();
          clock.advance(Duration.ofMinutes(11));
        }
        gc.runOnce();
      }
      Set<String> expected = LiveObjects.convergedListing(store, manifest);
      assertThat(LiveObjects.listing(store, manifest))
          .as("%s: listing after unpinning", ctx)
          .isEqualTo(expected);
      // The pin mattered: tables only the pinned version used (compacted away since) are gone now.
      Set<String> headIds = new TreeSet<>();
      ms.loadLatest().allTables().forEach(t -> headIds.add(t.id()));
      List<String> onlyPinned = new ArrayList<>();
      for (SstMeta t : pinnedState.allTables()) {
        if (!headIds.contains(t.id())) {
          onlyPinned.add(t.objectName());
        }
      }
      assertThat(onlyPinned).as("%s: tables only the pinned version used", ctx).isNotEmpty();
      assertThat(expected)
          .as("%s: collected after unpinning", ctx)
          .doesNotContainAnyElementsOf(onlyPinned);
      try (Reader fresh =
          IsleDB.openReader(
              store, ReaderOptions.defaults().withCacheDir(cache.resolve("fresh")), dbo)) {
        assertThat(work.diff(work.scan(fresh), acked.get())).as("%s: newest version", ctx).isNull();
      }
    }
  }

  private static void underLock(Lock lock, Runnable r) {
    underLock(
        lock,
        () -> {
          r.run();
          return null;
        });
  }

  private static <T> T underLock(Lock lock, Supplier<T> s) {
    lock.lock();
    try {
      return s.get();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the writer's next batch after generation {@code seen}, unless stopping. */
  private static void awaitNextBatch(
      ProgressSignal progress, long seen, AtomicBoolean stop, String who)
      throws InterruptedException {
    if (!stop.get()) {
      progress.awaitAfter(
          seen, Duration.ofSeconds(90), () -> who + " waited for the writer's next batch");
    }
  }

  private static void check(ReadView view, BatchWorkload work, long batch, String at) {
    assertThat(work.committedBatch(view)).as("%s: marker", at).isEqualTo(batch);
    assertThat(work.diff(work.scan(view), batch)).as("%s: contents", at).isNull();
    Random r = new Random(batch);
    for (int i = 0; i < 10; i++) {
      byte[] k = work.key(r.nextInt(150));
      Optional<byte[]> want = work.expectedValue(k, batch);
      Optional<byte[]> got = view.get(k);
      assertThat(got.isPresent()).as("%s: get %s", at, new String(k)).isEqualTo(want.isPresent());
      want.ifPresent(w -> assertThat(got.get()).as("%s: get %s", at, new String(k)).isEqualTo(w));
    }
  }
}
