package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Lease;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction's uploads are protected by its lease only while GC sees the lease change. A
 * compactor that stalls after uploading (a long JVM pause, or a partition during which its lease
 * refreshes fail) can find its outputs collected when it resumes: GC declares the lease dead a
 * grace period after its last change, and deletes the outputs a grace period after marking them.
 * The compactor must then abandon the compaction (no edit; outputs left for GC), not commit tables
 * that are gone.
 */
class StalledCompactorTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  @TempDir Path cache;

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore base = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(29))
          .withSnapshotEvery(1000)
          .withGcGracePeriod(GRACE)
          .withLogRetention(Duration.ZERO);
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();
  private final CountDownLatch stalled = new CountDownLatch(1);
  private final CountDownLatch resume = new CountDownLatch(1);
  private final Queue<String> outputs = new ConcurrentLinkedQueue<>();
  private volatile Thread compactorThread;
  private final IsleDB db = IsleDB.open(base, dbo);

  /** Stalls the compactor's thread once its (single) output table is uploaded. */
  private final HookedObjectStore compactorStore =
      new HookedObjectStore(
          base,
          (op, phase, name) -> {
            if (op == HookedObjectStore.Op.UPLOAD_COMPLETE
                && phase == HookedObjectStore.Phase.AFTER
                && name.startsWith(ManifestPaths.SST_DIR)
                && Thread.currentThread() == compactorThread) {
              outputs.add(name);
              stalled.countDown();
              try {
                if (!resume.await(30, TimeUnit.SECONDS)) {
                  throw new AssertionError("the test never resumed the compactor");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          });

  @AfterEach
  void close() {
    resume.countDown();
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void fourTables() {
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int t = 0; t < 4; t++) {
        for (int i = 0; i < 10; i++) {
          w.put(b("k" + i), b("v" + t));
        }
        w.flush();
      }
    }
  }

  /** Runs one compaction on its own thread; returns what it returned or threw. */
  private Thread startCompaction(Compactor c, AtomicReference<Object> outcome) {
    Thread t =
        new Thread(
            () -> {
              try {
                outcome.set(c.runOnce());
              } catch (RuntimeException e) {
                outcome.set(e);
              }
            },
            "stalled-compactor");
    compactorThread = t;
    t.start();
    return t;
  }

  private void assertAbandoned(Object outcome, String why, ManifestState before) {
    assertThat(outcome)
        .as("the compaction was abandoned, not committed: %s", outcome)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE);
              assertThat(e.getMessage()).contains("abandoned").contains(why);
            });
    ManifestState after = new Manifest(base).loadLatestListed();
    assertThat(after.seq()).as("no edit").isEqualTo(before.seq());
    assertThat(after.l0()).isEqualTo(before.l0());
    assertThat(after.runs()).isEmpty();
    assertThat(base.list(Lease.DIR).hasNext()).as("the lease is released").isFalse();
    try (Reader r =
        IsleDB.openReader(
            new HookedObjectStore(base, HookedObjectStore.recordMissingData(missing)),
            ReaderOptions.defaults().withCacheDir(cache),
            dbo)) {
      for (int i = 0; i < 10; i++) {
        assertThat(r.get(b("k" + i)).orElseThrow()).isEqualTo(b("v3"));
      }
    }
    assertThat(missing).as("reads of deleted tables").isEmpty();
  }

  @Test
  void aCompactorStalledPastItsLeaseDoesNotCommitCollectedOutputs() throws Exception {
    fourTables();
    ManifestState before;
    AtomicReference<Object> outcome = new AtomicReference<>();
    try (IsleDB compactorDb = IsleDB.open(compactorStore, dbo);
        Compactor c = compactorDb.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      before = new Manifest(base).loadLatest();
      Thread t = startCompaction(c, outcome);
      assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
      // GC sees the lease; then it stops changing (the compactor is stalled, its refreshes, if
      // any, fail): dead a grace period later, its output marked, deleted a grace period after.
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      assertThat(outputs).hasSize(1);
      assertThat(base.stat(outputs.peek())).as("GC deleted the stalled output").isEmpty();

      resume.countDown();
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).isFalse();
    }
    assertAbandoned(outcome.get(), "lease", before);
  }

  /**
   * Within its deadline, a compactor still checks that its outputs exist with the size it wrote
   * before committing them: an output that vanished (an operator's cleanup, a GC run with a shorter
   * grace period) must not be committed.
   */
  @Test
  void aCompactorDoesNotCommitAnOutputThatVanished() throws Exception {
    fourTables();
    ManifestState before;
    AtomicReference<Object> outcome = new AtomicReference<>();
    try (IsleDB compactorDb = IsleDB.open(compactorStore, dbo);
        Compactor c = compactorDb.openCompactor(CompactorOptions.defaults().withL0Trigger(4))) {
      before = new Manifest(base).loadLatest();
      Thread t = startCompaction(c, outcome);
      assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
      base.deleteAll(List.of(outputs.peek()));
      resume.countDown();
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).isFalse();
    }
    assertAbandoned(outcome.get(), ManifestPaths.sstIdOf(outputs.peek()), before);
  }

  /** The same stall, short of the deadline: the compaction commits as usual. */
  @Test
  void aShortStallStillCommits() throws Exception {
    fourTables();
    AtomicReference<Object> outcome = new AtomicReference<>();
    try (IsleDB compactorDb = IsleDB.open(compactorStore, dbo);
        Compactor c = compactorDb.openCompactor(CompactorOptions.defaults().withL0Trigger(4))) {
      Thread t = startCompaction(c, outcome);
      assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
      clock.advance(GRACE.minusSeconds(1));
      resume.countDown();
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(outcome.get())
        .isInstanceOfSatisfying(
            java.util.Optional.class,
            o -> assertThat(o.get()).isInstanceOf(CompactionResult.class));
    assertThat(new Manifest(base).loadLatest().runs()).hasSize(1);
  }
}
