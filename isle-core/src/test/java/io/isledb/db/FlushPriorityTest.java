package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requested flushes first ({@link FlushPriority}): a merge compaction pauses while a flush someone
 * waits for runs ({@code flush}, {@code flushAsync}: a checkpoint's cut) and goes on when it ends;
 * a background flush never pauses it; closing the compactor ends a pause. The flush is held in its
 * table upload (a latch in the store), so "pauses" and "still runs" are facts, not timings.
 */
class FlushPriorityTest {
  private static final long WAIT_SECONDS = 60;
  private static final Duration TIMEOUT = Duration.ofSeconds(WAIT_SECONDS);
  private static final int KEYS_PER_TABLE = 3_000; // several yield points (every 1,024 entries)

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final AtomicBoolean holdNextTable = new AtomicBoolean();
  private final CountDownLatch uploadReached = new CountDownLatch(1);
  private final CountDownLatch uploadRelease = new CountDownLatch(1);
  private final HookedObjectStore store =
      new HookedObjectStore(
          new InMemoryObjectStore(clock),
          (op, phase, name) -> {
            if (phase == HookedObjectStore.Phase.BEFORE
                && (op == HookedObjectStore.Op.PUT || op == HookedObjectStore.Op.UPLOAD_START)
                && name.endsWith(".sst")
                && holdNextTable.compareAndSet(true, false)) {
              uploadReached.countDown();
              Awaiting.latchIgnoringInterrupts(uploadRelease, TIMEOUT);
            }
          });
  private final IsleResources resources = IsleResources.create(IsleResourcesOptions.defaults());
  private final IsleDB db =
      IsleDB.open(
          store,
          DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(17)),
          resources);
  private final FlushPriority priority = ((SharedResourcesImpl) resources).flushPriority();
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  @AfterEach
  void close() {
    uploadRelease.countDown();
    db.close();
    resources.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private int l0() {
    return new Manifest(store).loadLatest().l0().size();
  }

  /** Two L0 tables of {@link #KEYS_PER_TABLE} keys each: a compaction of several yield points. */
  private void twoTables(Writer w) {
    for (int t = 0; t < 2; t++) {
      for (int i = 0; i < KEYS_PER_TABLE; i++) {
        w.put(b(String.format("key-%06d", i * 2 + t)), b("value-" + t + "-" + i));
      }
      w.flush();
    }
  }

  private void assertAllThere(int tables) {
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (int t = 0; t < tables; t++) {
        for (int i = 0; i < KEYS_PER_TABLE; i += 499) {
          assertThat(r.get(b(String.format("key-%06d", i * 2 + t)))).isPresent();
        }
      }
    }
  }

  @Test
  void withoutARequestedFlushACompactionDoesNotWait() {
    AtomicBoolean stopAsked = new AtomicBoolean();
    priority.yieldToFlushes(
        () -> {
          stopAsked.set(true);
          return false;
        });
    assertThat(stopAsked).as("returned on the fast path").isFalse();
    assertThat(priority.pauses()).isZero();
  }

  @Test
  void aPauseEndsWhenTheFlushEndsAndCountsOnce() throws Exception {
    Runnable ended = priority.flushRequested();
    assertThat(priority.flushing()).isTrue();
    CompletableFuture<Void> compaction =
        CompletableFuture.runAsync(() -> priority.yieldToFlushes(() -> false));
    Awaiting.until(() -> priority.waiting() == 1, TIMEOUT, () -> "the compaction pauses");
    assertThat(compaction).isNotDone();
    ended.run();
    ended.run(); // a second end of the same flush changes nothing
    compaction.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(priority.flushing()).isFalse();
    assertThat(priority.pauses()).isEqualTo(1);
  }

  @Test
  void aPauseLastsWhileAnyRequestedFlushRuns() throws Exception {
    Runnable first = priority.flushRequested();
    Runnable second = priority.flushRequested();
    CompletableFuture<Void> compaction =
        CompletableFuture.runAsync(() -> priority.yieldToFlushes(() -> false));
    Awaiting.until(() -> priority.waiting() == 1, TIMEOUT, () -> "the compaction pauses");
    first.run();
    assertThat(priority.flushing()).isTrue();
    assertThat(compaction).as("the second flush still runs").isNotDone();
    second.run();
    compaction.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aFlushWhoseEndNeverComesStopsPausingAfterItsRechecks() throws Exception {
    FlushPriority brief = new FlushPriority(2);
    brief.flushRequested(); // never ended
    CompletableFuture.runAsync(() -> brief.yieldToFlushes(() -> false))
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(brief.flushing()).as("forgotten after 2 rechecks").isFalse();
    assertThat(brief.pauses()).isEqualTo(1);
    brief.yieldToFlushes(() -> false); // the fast path: no pause
    assertThat(brief.pauses()).isEqualTo(1);
    assertThat(brief.waiting()).isZero();
  }

  @Test
  void aStoppedCompactionEndsItsPause() throws Exception {
    Runnable ended = priority.flushRequested();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> compaction =
        CompletableFuture.runAsync(() -> priority.yieldToFlushes(stop::get));
    Awaiting.until(() -> priority.waiting() == 1, TIMEOUT, () -> "the compaction pauses");
    stop.set(true);
    compaction.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(priority.flushing()).as("the flush itself still runs").isTrue();
    ended.run();
  }

  @Test
  void aCompactionPausesWhileACheckpointsFlushRunsThenCompletes() throws Exception {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      twoTables(w);
      w.put(b("cut"), b("v"));
      holdNextTable.set(true);
      CompletableFuture<Long> cut = w.flushAsync(); // a checkpoint's flush, held in its upload
      Awaiting.latchIgnoringInterrupts(uploadReached, TIMEOUT);
      assertThat(priority.flushing()).isTrue();

      CompletableFuture<Optional<CompactionResult>> run = CompletableFuture.supplyAsync(c::runOnce);
      Awaiting.until(
          () -> priority.waiting() == 1, TIMEOUT, () -> "the compaction pauses for the flush");
      assertThat(run).isNotDone();
      assertThat(l0()).as("nothing compacted or flushed yet").isEqualTo(2);

      uploadRelease.countDown();
      cut.get(WAIT_SECONDS, TimeUnit.SECONDS);
      Optional<CompactionResult> done = run.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(done).isPresent();
      assertThat(done.get().inputTables()).isEqualTo(2);
      assertThat(priority.pauses()).isEqualTo(1);
      assertThat(priority.flushing()).isFalse();
      assertAllThere(2);
    }
  }

  @Test
  void aBackgroundFlushDoesNotPauseCompaction() throws Exception {
    try (Writer w = db.openWriter(wo)) {
      twoTables(w);
    }
    // Small memtables: one fills and flushes on its own (nobody waits for it), held in its upload.
    try (Writer w = db.openWriter(wo.withMemtableSize(64 << 10));
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      holdNextTable.set(true);
      // 320 values of 256 bytes: more than one 64 KiB memtable, less than two with any per-entry
      // overhead below 140 bytes, so exactly one rotation; never so many that a put waits for a
      // room the held flush does not give (stopping at the hook instead raced the flush thread).
      for (int i = 0; i < 320; i++) {
        w.put(b(String.format("more-%06d", i)), new byte[256]);
      }
      Awaiting.latchIgnoringInterrupts(uploadReached, TIMEOUT);
      assertThat(priority.flushing()).isFalse();
      Optional<CompactionResult> done =
          CompletableFuture.supplyAsync(c::runOnce).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(done).as("compacted while the background flush is held").isPresent();
      assertThat(done.get().inputTables()).isEqualTo(2);
      assertThat(priority.pauses()).isZero();
      uploadRelease.countDown();
      w.flush();
      assertAllThere(2);
    }
  }

  @Test
  void closingTheCompactorEndsItsPause() throws Exception {
    try (Writer w = db.openWriter(wo)) {
      Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
      twoTables(w);
      w.put(b("cut"), b("v"));
      holdNextTable.set(true);
      CompletableFuture<Long> cut = w.flushAsync();
      Awaiting.latchIgnoringInterrupts(uploadReached, TIMEOUT);
      CompletableFuture<Optional<CompactionResult>> run = CompletableFuture.supplyAsync(c::runOnce);
      Awaiting.until(
          () -> priority.waiting() == 1, TIMEOUT, () -> "the compaction pauses for the flush");
      CompletableFuture.runAsync(c::close).get(WAIT_SECONDS, TimeUnit.SECONDS);
      // runOnce runs on this test's thread pool, not the compactor's: close does not wait for it,
      // but its pause ends at the next recheck and the run ends with CLOSED.
      assertThatThrownBy(() -> run.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("the run ended with the compactor's close, the flush still held")
          .cause()
          .isInstanceOfSatisfying(
              IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
      assertThat(cut).isNotDone();
      assertThat(l0()).as("nothing compacted").isEqualTo(2);
      uploadRelease.countDown();
      cut.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertAllThere(2);
    }
  }
}
