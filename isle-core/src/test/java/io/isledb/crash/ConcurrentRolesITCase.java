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
    DBOptions dbo = DBOptions.defaults().withSnapshotEvery(8);
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
    long minRunNanos = TimeUnit.SECONDS.toNanos(Seeds.longRun() ? 60 : 3);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Seeds.longRun() ? 300 : 60);
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
          pool.submit(
              () -> {
                while (!stop.get()) {
                  long next = ackedBatch.get() + 1;
                  work.write(writer, next);
                  writer.flush();
                  ackedBatch.set(next);
                }
                return null;
              }));
      futures.add(
          pool.submit(
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
                  if (i % 4 == 0) {
                    // A committer replaying its last commit (after an ambiguous failure).
                    CommitResult again = db.commit(handles, token);
                    assertThat(again)
                        .as("seed %d: replay of %s", seed, token)
                        .isEqualTo(new CommitResult(c.version(), true));
                    duplicates.incrementAndGet();
                  }
                }
                return null;
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
            pool.submit(
                () -> {
                  try (cdb) {
                    loop(
                        stop,
                        () ->
                            compactor.runOnce().map(x -> compactions.incrementAndGet()).isPresent(),
                        conflicts);
                  }
                  return null;
                }));
        futures.add(
            pool.submit(
                () -> {
                  try (rdb) {
                    loop(
                        stop,
                        () -> retention.runOnce().map(x -> drops.incrementAndGet()).isPresent(),
                        conflicts);
                  }
                  return null;
                }));
      }
      // Run for a while, and until every role has done its part at least once.
      long started = System.nanoTime();
      while (true) {
        if (child != null) {
          compactions.set(child.markers("COMPACTED").size());
          drops.set(child.markers("DROPPED").size());
        }
        boolean enough =
            System.nanoTime() - started > minRunNanos
                && ackedBatch.get() >= 5
                && commits.get() >= 5
                && compactions.get() >= 1
                && drops.get() >= 1;
        if (enough) {
          break;
        }
        for (Future<?> f : futures) {
          if (f.isDone()) {
            f.get(); // a failed thread fails the test now
          }
        }
        assertThat(System.nanoTime())
            .as(
                "seed %d: progress before the deadline (batches %d, commits %d, compactions %d,"
                    + " drops %d)",
                seed, ackedBatch.get(), commits.get(), compactions.get(), drops.get())
            .isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(100); // polling the progress counters
      }
      stop.set(true);
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
        Reader r = IsleDB.openReader(store, ReaderOptions.defaults().withCacheDir(cache))) {
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

  /** Runs a maintenance step until stopped; conflicts with concurrent edits are expected. */
  private static void loop(AtomicBoolean stop, BooleanSupplier step, AtomicLong conflicts)
      throws InterruptedException {
    while (!stop.get()) {
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
      if (!busy) {
        TimeUnit.MILLISECONDS.sleep(50); // idle pacing
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
