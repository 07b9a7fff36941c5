package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent appenders of every role on one prefix, on s3a (issue 3): a writer (flushes), an
 * external committer (SSTs built by {@link SstWriter}s, published with commit tokens, some
 * committed twice), a merge compactor and a retention compactor, in threads of this JVM and with
 * the maintenance roles in a second JVM. The final state must equal exactly what was acknowledged:
 *
 * <ul>
 *   <li>{@code w/}: the writer's {@link BatchWorkload} batches up to the last acknowledged one;
 *   <li>{@code x/}: every key of every acknowledged durable external commit, nothing else;
 *   <li>{@code e/}: external commits built with a clock two hours back, so retention (by age, one
 *       hour) drops their tables: what remains must be a subset of what was committed, with the
 *       committed values. Tables with recent data must never be dropped: if retention took one, the
 *       {@code w/} or {@code x/} checks fail.
 * </ul>
 */
class ConcurrentRolesITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int BATCH_LIMIT_FACTOR = 20;

  @TempDir Path cache;

  @Test
  void allRolesInThreadsOfOneProcess() throws Exception {
    run(Seeds.seed(3_505L), false);
  }

  @Test
  void maintenanceRolesInASecondProcess() throws Exception {
    run(Seeds.seed(3_606L), true);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void run(long seed, boolean childMaintenance) throws Exception {
    StoreSpec spec = StoreSpec.s3(S3, childMaintenance ? "roles-2jvm" : "roles-threads");
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    DBOptions dbo = ManifestStoreSpec.current().options().withSnapshotEvery(8);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withBlobThreshold(4096)
            .withBlockSize(1024);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ackedBatch = new AtomicLong();
    AtomicLong commits = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong compactions = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    AtomicLong drops = new AtomicLong();
    Map<String, byte[]> durable = new ConcurrentSkipListMap<>();
    Map<String, byte[]> ephemeral = new ConcurrentSkipListMap<>();
    // The run's length is counted in operations, not time: at least this many acknowledged
    // batches and external commits, and until every role has done its part at least once; it
    // fails if the roles have not all done so within BATCH_LIMIT_FACTOR times the batches.
    long minBatches = Seeds.longRun() ? 300 : 10;
    long minCommits = Seeds.longRun() ? 300 : 10;
    long batchLimit = minBatches * BATCH_LIMIT_FACTOR;
    // Every thread signals each step it completes (and its end), so waiting threads wake at once.
    ProgressSignal progress = new ProgressSignal();
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Future<?>> futures = new ArrayList<>();
    ChildJvm child = null;
    try (ObjectStore store = spec.open();
        ObjectStore oldStore = spec.open();
        IsleDB db = IsleDB.open(store, dbo);
        // Builds SSTs whose data is two hours old; never claims a role.
        IsleDB oldDb =
            IsleDB.open(
                oldStore, dbo.withClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(-2))))) {
      Writer writer = db.openWriter(wo);
      if (childMaintenance) {
        child =
            ChildJvm.start(
                "roles-maintenance",
                MaintenanceChild.class,
                List.of(
                    "--store=" + spec.encode(),
                    "--roles=compactor,retention",
                    "--retentionMillis=3600000",
                    "--retentionCount=0",
                    "--pauseMillis=50"));
        // Not waiting for READY: the child's roles join while the writer is already at work.
      }
      futures.add(
          progress.submit(
              pool,
              () -> {
                while (!stop.get()) {
                  long next = ackedBatch.get() + 1;
                  work.write(writer, next);
                  writer.flush();
                  ackedBatch.set(next);
                  progress.signal();
                }
              }));
      futures.add(
          progress.submit(
              pool,
              () -> {
                Random r = new Random(seed);
                for (int i = 1; !stop.get(); i++) {
                  boolean old = i % 3 == 0;
                  String range = old ? "e/" : "x/";
                  Map<String, byte[]> kvs = new TreeMap<>();
                  int n = 3 + r.nextInt(20);
                  for (int k = 0; k < n; k++) {
                    kvs.put(
                        String.format("%sc%05d/k%03d", range, i, r.nextInt(1000)),
                        b("c" + i + "/" + k));
                  }
                  List<SstHandle> handles;
                  try (SstWriter sw =
                      (old ? oldDb : db).newSstWriter(SstWriterOptions.defaults())) {
                    kvs.forEach((k, v) -> sw.put(b(k), v));
                    handles = sw.finish();
                  }
                  String token = "commit-" + seed + "-" + i;
                  CommitResult c = db.commit(handles, token);
                  assertThat(c.duplicate())
                      .as("seed %d: first commit of %s", seed, token)
                      .isFalse();
                  (old ? ephemeral : durable).putAll(kvs);
                  commits.incrementAndGet();
                  progress.signal();
                  if (i % 4 == 0) {
                    // A committer replaying its last commit (after an ambiguous failure).
                    CommitResult again = db.commit(handles, token);
                    assertThat(again)
                        .as("seed %d: replay of %s", seed, token)
                        .isEqualTo(new CommitResult(c.version(), true));
                    duplicates.incrementAndGet();
                  }
                }
              }));
      if (!childMaintenance) {
        IsleDB cdb = IsleDB.open(store, dbo);
        IsleDB rdb = IsleDB.open(store, dbo);
        Compactor compactor =
            cdb.openCompactor(
                CompactorOptions.defaults().withL0Trigger(3).withTargetTableSize(32 << 10));
        RetentionCompactor retention =
            rdb.openRetentionCompactor(RetentionCompactorOptions.byAge(Duration.ofHours(1), 0));
        futures.add(
            progress.submit(
                pool,
                () -> {
                  try (cdb) {
                    loop(
                        stop,
                        progress,
                        () ->
                            compactor.runOnce().map(x -> compactions.incrementAndGet()).isPresent(),
                        conflicts,
                        "seed " + seed + ": compactor");
                  }
                }));
        futures.add(
            progress.submit(
                pool,
                () -> {
                  try (rdb) {
                    loop(
                        stop,
                        progress,
                        () -> retention.runOnce().map(x -> drops.incrementAndGet()).isPresent(),
                        conflicts,
                        "seed " + seed + ": retention");
                  }
                }));
      }
      // Run until every role has done its part (this process's roles signal each step; the
      // child's report theirs as markers) and the operation counts are reached.
      progress.awaitCondition(
          () ->
              ackedBatch.get() >= minBatches
                  && commits.get() >= minCommits
                  && (childMaintenance || (compactions.get() >= 1 && drops.get() >= 1)),
          () -> {
            for (Future<?> f : futures) {
              if (f.isDone()) {
                getNow(f, seed); // a failed thread fails the test now
              }
            }
            assertThat(ackedBatch.get())
                .as(
                    "seed %d: every role did its part within %d batches (commits %d, compactions"
                        + " %d, drops %d)",
                    seed, batchLimit, commits.get(), compactions.get(), drops.get())
                .isLessThanOrEqualTo(batchLimit);
          },
          WAIT,
          () ->
              String.format(
                  "seed %d: batches %d, commits %d, compactions %d, drops %d",
                  seed, ackedBatch.get(), commits.get(), compactions.get(), drops.get()));
      if (child != null) {
        // The child's roles report each result on its stdout: a handshake, no polling.
        child.await("COMPACTED", WAIT);
        child.await("DROPPED", WAIT);
      }
      stop.set(true);
      progress.signal(); // wakes idle roles waiting for the next step
      for (Future<?> f : futures) {
        f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      writer.close();
      if (child != null) {
        child.send("STOP");
        ChildJvm.Marker done = child.await("DONE", WAIT);
        assertThat(child.awaitExit(WAIT)).isZero();
        compactions.set(done.longField(0));
        drops.set(done.longField(1));
        conflicts.set(child.markers("CONFLICT").size());
      }
    } finally {
      stop.set(true);
      progress.signal();
      pool.shutdownNow();
      if (child != null) {
        child.close();
      }
    }
    String ctx =
        String.format(
            "seed %d (batches %d, commits %d, replays %d, compactions %d, drops %d, conflicts %d)",
            seed,
            ackedBatch.get(),
            commits.get(),
            duplicates.get(),
            compactions.get(),
            drops.get(),
            conflicts.get());
    System.out.println("concurrent roles: " + ctx);
    try (ObjectStore store = spec.open();
        Reader r =
            IsleDB.openReader(
                store,
                ReaderOptions.defaults().withCacheDir(cache),
                ManifestStoreSpec.current().options())) {
      assertThat(work.committedBatch(r)).as("%s: last batch", ctx).isEqualTo(ackedBatch.get());
      assertThat(work.diff(work.scan(r), ackedBatch.get())).as("%s: w/ range", ctx).isNull();
      assertThat(range(r, "x/", "x0"))
          .as("%s: durable external commits", ctx)
          .isEqualTo(toStrings(durable));
      Map<String, String> eph = range(r, "e/", "e0");
      Map<String, String> committedEph = toStrings(ephemeral);
      assertThat(committedEph).as("%s: ephemeral commits", ctx).isNotEmpty();
      assertThat(committedEph).as("%s: surviving ephemeral keys", ctx).containsAllEntriesOf(eph);
      assertThat(eph.size())
          .as("%s: retention dropped some of the old-data tables", ctx)
          .isLessThan(committedEph.size());
    }
  }

  private static void getNow(Future<?> f, long seed) {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw new AssertionError("seed " + seed + ": a role's thread failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Runs a maintenance step until stopped; conflicts with concurrent edits are expected. When a
   * step found nothing to do, the role waits for the next step of any other role (new work) rather
   * than sleeping.
   */
  private static void loop(
      AtomicBoolean stop,
      ProgressSignal progress,
      BooleanSupplier step,
      AtomicLong conflicts,
      String who)
      throws InterruptedException {
    while (!stop.get()) {
      long seen = progress.generation();
      boolean busy;
      try {
        busy = step.getAsBoolean();
      } catch (IsleException e) {
        if (e.kind() != IsleException.Kind.CONFLICT) {
          throw e;
        }
        conflicts.incrementAndGet();
        busy = true;
      }
      if (busy) {
        progress.signal();
      } else if (!stop.get()) {
        progress.awaitAfter(seen, WAIT, () -> who + " (idle) waited for another role's next step");
      }
    }
  }

  private static Map<String, String> range(Reader r, String from, String to) {
    Map<String, String> out = new TreeMap<>();
    try (KvIterator it = r.scan(b(from), b(to))) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.put(
            new String(kv.key(), StandardCharsets.UTF_8),
            new String(kv.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Map<String, String> toStrings(Map<String, byte[]> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }
}
