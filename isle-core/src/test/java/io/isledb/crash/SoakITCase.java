package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.ProgressSignal;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.MaintenanceChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak (issue 4), on s3a against the real S3 server: a writer, several readers and a tailing
 * reader in this JVM with a retention compactor; a merge compactor and the garbage collector (short
 * grace period, real clock) in a second JVM; all at once for a number of batches (50; {@code
 * -Disledb.test.long=true}: 600), and until every role has done its part. Nothing waits by
 * sleeping: the writer signals each acknowledged batch, and readers, the tail and retention take
 * their next step after the writer's next batch; the maintenance JVM reports its results as
 * markers.
 *
 * <ul>
 *   <li>The writer writes {@link BatchWorkload} batches, one flush each, so every version is
 *       self-describing: its batch marker {@code M} says the {@code w/} range must equal batches
 *       {@code 1..M} exactly. Every few batches it also commits an external SST whose data is two
 *       hours old under {@code e/}, which retention (by age, one hour) drops again.
 *   <li>Each reader refreshes, pins the version with a snapshot and checks a full scan and point
 *       gets against the model of that version, that versions and batches never go backwards, and
 *       that surviving {@code e/} keys hold what was committed; sometimes it keeps a snapshot
 *       across iterations and checks it again later, while compaction and GC move on.
 *   <li>No reader may fail, and no read of any reader may find a table or blob missing (its store
 *       reports every read that finds nothing).
 *   <li>The tailing reader (range {@code w/}) must see every write of every batch exactly once, in
 *       commit order, and nothing else.
 * </ul>
 */
class SoakITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int READERS = 3;
  private static final long GRACE_MILLIS = 5_000;
  private static final long LOG_RETENTION_MILLIS = 20_000;

  /** A held snapshot is checked again after this many newer batches (and a GC pass). */
  private static final int HOLD_BATCHES = 5;

  /** The run fails if the roles have not all done their part within this many times the batches. */
  private static final int BATCH_LIMIT_FACTOR = 10;

  @TempDir Path cache;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void writerCompactorRetentionGcReadersAndTailTogether() throws Exception {
    long seed = Seeds.seed(4_303L);
    long minBatches = Seeds.longRun() ? 600 : 50;
    long batchLimit = minBatches * BATCH_LIMIT_FACTOR;
    StoreSpec spec = StoreSpec.s3(S3, "soak");
    BatchWorkload work = new BatchWorkload(seed, "w/", 300, 40, 6000, 25);
    DBOptions dbo =
        ManifestStoreSpec.current()
            .options()
            .withSnapshotEvery(8)
            .withGcGracePeriod(Duration.ofMillis(GRACE_MILLIS))
            .withLogRetention(Duration.ofMillis(LOG_RETENTION_MILLIS));
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(16L << 20)
            .withBlobThreshold(4096)
            .withBlockSize(1024);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acked = new AtomicLong();
    AtomicLong readerChecks = new AtomicLong();
    AtomicLong heldChecks = new AtomicLong();
    AtomicLong tailChanges = new AtomicLong();
    AtomicLong drops = new AtomicLong();
    // Signalled by the writer after each acknowledged batch and by every thread when it ends.
    ProgressSignal progress = new ProgressSignal();
    Map<String, String> ephemeral = new ConcurrentHashMap<>();
    Queue<String> missing = new ConcurrentLinkedQueue<>();
    HookedObjectStore.Hook detectMissing = HookedObjectStore.recordMissingData(missing);
    String ctx = "seed " + seed;
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Future<?>> futures = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    ChildJvm child =
        ChildJvm.start(
            "soak-maintenance",
            MaintenanceChild.class,
            List.of(
                "--store=" + spec.encode(),
                "--roles=compactor,gc",
                "--graceMillis=" + GRACE_MILLIS,
                "--logRetentionMillis=" + LOG_RETENTION_MILLIS,
                "--snapshotEvery=8",
                "--l0Trigger=4",
                "--targetTableSize=65536",
                "--pauseMillis=200",
                "--gcPauseMillis=1000"));
    TailChecker tail = new TailChecker(work, ctx);
    LongSupplier gcPasses = () -> child.markers("GC").size();
    LongSupplier tablesDeletedByGc =
        () -> child.markers("GC").stream().mapToLong(m -> m.longField(1)).sum();
    try {
      ObjectStore store = track(resources, spec.open());
      ObjectStore oldStore = track(resources, spec.open());
      IsleDB db = track(resources, IsleDB.open(store, dbo));
      IsleDB oldDb =
          track(
              resources,
              IsleDB.open(
                  oldStore, dbo.withClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))));
      Writer writer = db.openWriter(wo);

      // Writer: batches, and every fifth an external commit of old data for retention to drop.
      futures.add(
          progress.submit(
              pool,
              () -> {
                for (long next = 1; !stop.get(); next++) {
                  work.write(writer, next);
                  writer.flush();
                  acked.set(next);
                  progress.signal();
                  if (next % 5 == 0) {
                    Map<String, String> kvs = new java.util.TreeMap<>();
                    for (int k = 0; k < 10; k++) {
                      kvs.put(String.format("e/b%06d/k%02d", next, k), "old " + next + "/" + k);
                    }
                    // Recorded before committing, so a reader never sees one it does not know.
                    ephemeral.putAll(kvs);
                    List<SstHandle> handles;
                    try (SstWriter sw = oldDb.newSstWriter(SstWriterOptions.defaults())) {
                      kvs.forEach((k, v) -> sw.put(b(k), b(v)));
                      handles = sw.finish();
                    }
                    db.commit(handles, "soak-" + next);
                  }
                }
                writer.close();
              }));

      // Retention in this process.
      IsleDB rdb = track(resources, IsleDB.open(track(resources, spec.open()), dbo));
      RetentionCompactor retention =
          rdb.openRetentionCompactor(RetentionCompactorOptions.byAge(Duration.ofHours(1), 0));
      futures.add(
          progress.submit(
              pool,
              () -> {
                while (!stop.get()) {
                  long seen = progress.generation();
                  if (retention.runOnce().isPresent()) {
                    drops.incrementAndGet();
                  }
                  // The next run after the writer's next batch (and its external commits).
                  awaitNextStep(progress, seen, stop, ctx + ": retention");
                }
              }));

      // Readers.
      for (int i = 0; i < READERS; i++) {
        int id = i;
        ObjectStore rs = track(resources, new HookedObjectStore(spec.open(), detectMissing));
        Reader reader =
            track(
                resources,
                IsleDB.openReader(
                    rs,
                    ReaderOptions.defaults()
                        .withCacheDir(cache.resolve("reader-" + id))
                        .withBlockCacheBytes(8 << 20),
                    dbo));
        futures.add(
            progress.submit(
                pool,
                () ->
                    readLoop(
                        reader,
                        work,
                        ephemeral,
                        acked,
                        stop,
                        progress,
                        gcPasses,
                        seed + id,
                        ctx + ", reader " + id,
                        readerChecks,
                        heldChecks)));
      }

      // Tailing reader.
      ObjectStore ts = track(resources, new HookedObjectStore(spec.open(), detectMissing));
      TailingReader tr =
          track(
              resources,
              IsleDB.openTailingReader(
                  ts, TailingReaderOptions.defaults().withKeyRange(work.from(), work.to()), dbo));
      futures.add(
          progress.submit(
              pool,
              () -> {
                TailPosition pos = new TailPosition(1, 0);
                while (!stop.get()) {
                  long seen = progress.generation();
                  TailBatch batch = tr.poll(pos, 500);
                  batch.changes().forEach(tail::accept);
                  tailChanges.addAndGet(batch.changes().size());
                  pos = batch.next();
                  if (batch.changes().isEmpty()) {
                    // At the end of the log: poll again after the writer's next batch.
                    awaitNextStep(progress, seen, stop, ctx + ": tail");
                  }
                }
                tail.position = pos;
              }));

      // Run until the batches are written and every role has done its part, watching for failures
      // (the maintenance JVM joins as soon as it started). Re-checked after every batch.
      child.await("READY", WAIT);
      progress.awaitCondition(
          () ->
              acked.get() >= minBatches
                  && readerChecks.get() > 30
                  && heldChecks.get() > 0
                  && drops.get() > 0
                  && !child.markers("COMPACTED").isEmpty()
                  && tablesDeletedByGc.getAsLong() > 0,
          () -> {
            for (Future<?> f : futures) {
              if (f.isDone()) {
                getNow(f, ctx); // rethrows a failed thread's error now
                throw new AssertionError(ctx + ": a soak thread ended early");
              }
            }
            assertThat(acked.get())
                .as(
                    "%s: every role did its part within %d batches (reader checks %d, held %d,"
                        + " drops %d, compactions %d, GC deleted tables %d)",
                    ctx,
                    batchLimit,
                    readerChecks.get(),
                    heldChecks.get(),
                    drops.get(),
                    child.markers("COMPACTED").size(),
                    tablesDeletedByGc.getAsLong())
                .isLessThanOrEqualTo(batchLimit);
          },
          WAIT,
          () -> ctx + ": the writer acknowledged no batch (at " + acked.get() + ")");
      stop.set(true);
      progress.signal(); // wakes the threads waiting for the next batch
      for (Future<?> f : futures) {
        f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      // The tail catches up with everything the writer acknowledged, and sees nothing more. The
      // writer is closed, so every poll either returns changes or moves on, until the end.
      TailPosition pos = tail.position;
      while (tail.batch <= acked.get()) {
        TailBatch batch = tr.poll(pos, 500);
        batch.changes().forEach(tail::accept);
        tailChanges.addAndGet(batch.changes().size());
        assertThat(!batch.changes().isEmpty() || !batch.next().equals(pos))
            .as(
                "%s: tail catching up: at %s, batch %d, the end of the log before batch %d",
                ctx, pos, tail.batch, acked.get())
            .isTrue();
        pos = batch.next();
      }
      assertThat(tr.poll(pos, 10).changes()).as("%s: changes after the last batch", ctx).isEmpty();
      assertThat(tail.batch).as("%s: batches the tail saw", ctx).isEqualTo(acked.get() + 1);
      assertThat(tail.op).isZero();

      child.send("STOP");
      ChildJvm.Marker done = child.await("DONE", WAIT);
      assertThat(child.awaitExit(WAIT)).isZero();
      long gcDeletedTables = tablesDeletedByGc.getAsLong();
      String summary =
          String.format(
              "%s: %d batches, %d reader checks (%d on held snapshots), %d tail changes,"
                  + " %d compactions, %d retention drops, %d GC passes deleting %d tables",
              ctx,
              acked.get(),
              readerChecks.get(),
              heldChecks.get(),
              tailChanges.get(),
              done.longField(0),
              drops.get(),
              done.longField(2),
              gcDeletedTables);
      System.out.println("soak: " + summary);
      assertThat(missing).as("%s: reads that found a table or blob missing", summary).isEmpty();
      assertThat(done.longField(0)).as("%s: compactions", summary).isPositive();
      assertThat(drops.get()).as("%s: retention drops", summary).isPositive();
      assertThat(gcDeletedTables)
          .as("%s: tables deleted by GC while readers ran", summary)
          .isPositive();
      assertThat(readerChecks.get()).as("%s: reader checks", summary).isGreaterThan(30);
      assertThat(heldChecks.get()).as("%s: held snapshot checks", summary).isPositive();
    } finally {
      stop.set(true);
      progress.signal();
      pool.shutdownNow();
      child.close();
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          // best effort after a failure
        }
      }
    }
    // A cold reader at the end agrees as well.
    try (ObjectStore store = spec.open();
        Reader r =
            IsleDB.openReader(
                store, ReaderOptions.defaults().withCacheDir(cache.resolve("final")), dbo)) {
      assertThat(work.diff(work.scan(r), acked.get())).as("%s: final state", ctx).isNull();
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T r) {
    resources.add(r);
    return r;
  }

  /** One reader's loop: refresh, pin, check against the model; sometimes hold a snapshot. */
  private static void readLoop(
      Reader reader,
      BatchWorkload work,
      Map<String, String> ephemeral,
      AtomicLong acked,
      AtomicBoolean stop,
      ProgressSignal progress,
      LongSupplier gcPasses,
      long seed,
      String ctx,
      AtomicLong checks,
      AtomicLong heldChecks)
      throws InterruptedException {
    Random rnd = new Random(seed);
    long lastVersion = -1;
    long lastBatch = -1;
    ReadView held = null;
    long heldBatch = -1;
    long heldAtAck = 0;
    long heldAtGcPass = 0;
    try {
      while (!stop.get()) {
        long seen = progress.generation();
        long v = reader.refresh();
        assertThat(v).as("%s: versions never go back", ctx).isGreaterThanOrEqualTo(lastVersion);
        lastVersion = v;
        ReadView view = reader.snapshot();
        long m = work.committedBatch(view);
        String at = ctx + ", version " + view.version() + ", batch " + m;
        assertThat(m).as("%s: batches never go back", at).isGreaterThanOrEqualTo(lastBatch);
        assertThat(m)
            .as("%s: not beyond what the writer wrote", at)
            .isLessThanOrEqualTo(acked.get() + 1);
        lastBatch = m;
        check(view, work, m, ephemeral, rnd, at);
        checks.incrementAndGet();
        if (held == null && rnd.nextInt(4) == 0) {
          held = view;
          heldBatch = m;
          heldAtAck = acked.get();
          heldAtGcPass = gcPasses.getAsLong();
        } else {
          view.close();
        }
        if (held != null
            && acked.get() >= heldAtAck + HOLD_BATCHES
            && gcPasses.getAsLong() > heldAtGcPass) {
          // The writer, compaction and GC moved on meanwhile; the old view still reads its own
          // version.
          check(held, work, heldBatch, ephemeral, rnd, ctx + ", held version " + held.version());
          heldChecks.incrementAndGet();
          held.close();
          held = null;
        }
        // The next check after the writer's next batch.
        awaitNextStep(progress, seen, stop, ctx);
      }
    } finally {
      if (held != null) {
        held.close();
      }
    }
  }

  private static void getNow(Future<?> f, String ctx) {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw new AssertionError(ctx + ": a soak thread failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for the writer's next batch after generation {@code seen}, unless stopping. */
  private static void awaitNextStep(
      ProgressSignal progress, long seen, AtomicBoolean stop, String who)
      throws InterruptedException {
    if (!stop.get()) {
      progress.awaitAfter(seen, WAIT, () -> who + " waited for the writer's next batch");
    }
  }

  private static void check(
      ReadView view,
      BatchWorkload work,
      long m,
      Map<String, String> ephemeral,
      Random rnd,
      String at) {
    assertThat(work.committedBatch(view)).as("%s: marker", at).isEqualTo(m);
    assertThat(work.diff(work.scan(view), m)).as("%s: w/ range equals batches 1..m", at).isNull();
    for (int i = 0; i < 5; i++) {
      byte[] k = work.key(rnd.nextInt(300));
      Optional<byte[]> want = work.expectedValue(k, m);
      Optional<byte[]> got = view.get(k);
      assertThat(got.map(SoakITCase::s))
          .as("%s: get %s", at, s(k))
          .isEqualTo(want.map(SoakITCase::s));
    }
    try (KvIterator it = view.scan(b("e/"), b("e0"))) {
      while (it.hasNext()) {
        KV kv = it.next();
        assertThat(ephemeral.get(s(kv.key())))
            .as("%s: old-data key %s", at, s(kv.key()))
            .isEqualTo(s(kv.value()));
      }
    }
  }

  /** Checks the tail's stream against the batches: every write once, in order, nothing else. */
  private static final class TailChecker {
    private final BatchWorkload work;
    private final String ctx;
    long batch = 1;
    int op;
    long lastVersion;
    volatile TailPosition position;
    private List<BatchWorkload.Op> ops;

    TailChecker(BatchWorkload work, String ctx) {
      this.work = work;
      this.ctx = ctx;
    }

    void accept(Change c) {
      if (ops == null) {
        ops = new ArrayList<>(work.batch(batch));
        ops.add(new BatchWorkload.Op(work.markerKey(), BatchWorkload.markerValue(batch), false));
      }
      BatchWorkload.Op want = ops.get(op);
      String at = ctx + ", tail at batch " + batch + " write " + op + ", change " + c;
      assertThat(c.version()).as("%s: commit order", at).isGreaterThanOrEqualTo(lastVersion);
      lastVersion = c.version();
      assertThat(s(c.key())).as("%s: key", at).isEqualTo(s(want.key()));
      if (want.value() == null) {
        assertThat(c.type()).as("%s: type", at).isEqualTo(Change.Type.DELETE);
      } else {
        assertThat(c.type()).as("%s: type", at).isEqualTo(Change.Type.PUT);
        assertThat(Arrays.equals(c.value(), want.value())).as("%s: value", at).isTrue();
      }
      if (++op == ops.size()) {
        batch++;
        op = 0;
        ops = null;
      }
    }
  }
}
