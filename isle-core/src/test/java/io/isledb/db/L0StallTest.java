package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CompactionFilter;
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
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The L0 stall ({@link CompactorOptions#l0StopWrites()}): with a compactor running in the same JVM,
 * writes wait while L0 holds the stop limit of tables and go on once a compaction brings it below;
 * a failing, closed or absent compactor never leaves them waiting; a closed writer ends the wait
 * with CLOSED. The compaction is held inside its filter (a latch), so "waits" is a fact, not a
 * timing.
 */
class L0StallTest {
  private static final long WAIT_SECONDS = 60;
  private static final Duration TIMEOUT = Duration.ofSeconds(WAIT_SECONDS);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final IsleResources resources = IsleResources.create(IsleResourcesOptions.defaults());
  private final IsleDB db =
      IsleDB.open(
          store,
          DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(11)),
          resources);
  private final CommitSignal signal = ((SharedResourcesImpl) resources).commitSignal(store);
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  /** Holds the first compaction that reaches it until released; fails it when told to. */
  private final AtomicBoolean armed = new AtomicBoolean(true);

  private final CountDownLatch reached = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean failHeld;
  private final CompactionFilter gate =
      (key, value, time) -> {
        if (armed.compareAndSet(true, false)) {
          reached.countDown();
          Awaiting.latchIgnoringInterrupts(release, TIMEOUT);
          if (failHeld) {
            throw new IllegalStateException("induced compaction failure");
          }
        }
        return CompactionFilter.Decision.KEEP;
      };

  @AfterEach
  void close() {
    release.countDown();
    db.close();
    resources.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private int l0() {
    return new Manifest(store).loadLatest().l0().size();
  }

  private CompactorOptions options(int stopAt) {
    return CompactorOptions.defaults().withL0Trigger(2).withL0StopWrites(stopAt).withFilter(gate);
  }

  /**
   * Two flushes start a compaction that the gate holds; two more bring L0 to the limit of 4 while
   * it is held. Returns with writes stalled.
   */
  private void fillL0WhileCompactionHeld(Writer w) {
    w.put(b("k1"), b("v1"));
    w.flush();
    w.put(b("k2"), b("v2"));
    w.flush(); // L0 = 2: the compactor picks it up and is held in the filter
    Awaiting.latchIgnoringInterrupts(reached, TIMEOUT);
    w.put(b("k3"), b("v3"));
    w.flush();
    w.put(b("k4"), b("v4"));
    w.flush(); // L0 = 4, the limit
    assertThat(l0()).isEqualTo(4);
  }

  private CompletableFuture<Void> putAsync(Writer w, String key) {
    return CompletableFuture.runAsync(() -> w.put(b(key), b("late")));
  }

  private void assertAllThere(String... keys) {
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (String k : keys) {
        assertThat(r.get(b(k))).as("key %s", k).isPresent();
      }
    }
  }

  @Test
  void writesWaitAtTheLimitAndGoOnOnceACompactionBringsL0Below() throws Exception {
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(options(4))) {
      c.start();
      fillL0WhileCompactionHeld(w);
      assertThat(signal.l0Stalled()).isTrue();
      CompletableFuture<Void> put = putAsync(w, "k5");
      Awaiting.until(() -> signal.l0Stalls() == 1, TIMEOUT, () -> "the put waits for compaction");
      assertThat(put).as("held compaction: the put still waits").isNotDone();

      release.countDown(); // the compaction of k1, k2 commits: L0 = 2 (k3, k4)
      put.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(signal.l0Stalled()).isFalse();
      assertThat(l0()).isLessThan(4);
      w.flush();
      assertAllThere("k1", "k2", "k3", "k4", "k5");
    }
  }

  @Test
  void aFailedCompactionLiftsTheStall() throws Exception {
    failHeld = true;
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(options(4))) {
      c.start();
      fillL0WhileCompactionHeld(w);
      CompletableFuture<Void> put = putAsync(w, "k5");
      Awaiting.until(() -> signal.l0Stalls() == 1, TIMEOUT, () -> "the put waits for compaction");
      release.countDown(); // the held compaction fails: nothing committed, L0 still 4
      put.get(WAIT_SECONDS, TimeUnit.SECONDS);
      w.flush();
      assertAllThere("k1", "k2", "k3", "k4", "k5");
    }
  }

  @Test
  void closingTheCompactorLiftsTheStall() throws Exception {
    try (Writer w = db.openWriter(wo)) {
      Compactor c = db.openCompactor(options(4));
      c.start();
      fillL0WhileCompactionHeld(w);
      CompletableFuture<Void> put = putAsync(w, "k5");
      Awaiting.until(() -> signal.l0Stalls() == 1, TIMEOUT, () -> "the put waits for compaction");
      // close waits for the held run; the stall ends before that
      CompletableFuture<Void> closed = CompletableFuture.runAsync(c::close);
      put.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(l0()).as("nothing compacted").isEqualTo(4);
      release.countDown();
      closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
      w.flush();
      assertAllThere("k1", "k2", "k3", "k4", "k5");
    }
  }

  @Test
  void closingTheWriterEndsAWaitingPutWithClosed() throws Exception {
    try (Compactor c = db.openCompactor(options(4))) {
      c.start();
      Writer w = db.openWriter(wo);
      fillL0WhileCompactionHeld(w);
      CompletableFuture<Void> put = putAsync(w, "k5");
      Awaiting.until(() -> signal.l0Stalls() == 1, TIMEOUT, () -> "the put waits for compaction");
      w.close();
      Throwable failure = null;
      try {
        put.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        failure = e.getCause();
      }
      assertThat(failure).isInstanceOf(IsleException.class);
      assertThat(((IsleException) failure).kind()).isEqualTo(IsleException.Kind.CLOSED);
      release.countDown();
      assertAllThere("k1", "k2", "k3", "k4");
    }
  }

  @Test
  void noStallWithoutARunningCompactorOrWithTheLimitOff() {
    try (Writer w = db.openWriter(wo);
        Compactor idle = db.openCompactor(options(4))) {
      // Opened, never started: it compacts only when asked, so writes never wait for it.
      for (int i = 0; i < 6; i++) {
        w.put(b("a" + i), b("v"));
        w.flush();
      }
      assertThat(l0()).isEqualTo(6);
      assertThat(signal.l0Stalled()).isFalse();
      w.put(b("after"), b("v"));
    }
    try (Writer w = db.openWriter(wo);
        Compactor off = db.openCompactor(options(0))) {
      off.start();
      w.put(b("k1"), b("v1"));
      w.flush(); // L0 = 8 from before: the running compactor is held in the filter
      Awaiting.latchIgnoringInterrupts(reached, TIMEOUT);
      for (int i = 0; i < 4; i++) {
        w.put(b("b" + i), b("v"));
        w.flush();
      }
      assertThat(l0()).as("7 from before (the close flushed \"after\"), 1 + 4 now").isEqualTo(12);
      assertThat(signal.l0Stalled()).as("limit off").isFalse();
      w.put(b("after2"), b("v"));
      assertThat(signal.l0Stalls()).isZero();
      release.countDown(); // so the compactor's close does not wait for the held run
    }
  }

  @Test
  void theSignalIgnoresLateReportsOfOlderVersions() {
    CommitSignal s = new CommitSignal();
    s.l0Observed(10, 5, false);
    assertThat(s.l0Stalled()).as("no compactor running").isFalse();
    Runnable stop = s.compactorRunning(4);
    assertThat(s.l0Stalled()).isTrue();
    s.l0Observed(12, 1, true); // a compaction committed
    assertThat(s.l0Stalled()).isFalse();
    s.l0Observed(11, 6, false); // a flush committed before it, reported late
    assertThat(s.l0Stalled()).isFalse();
    s.l0Observed(13, 4, false);
    assertThat(s.l0Stalled()).isTrue();
    s.compactionFailed();
    assertThat(s.l0Stalled()).as("failed compactor").isFalse();
    s.l0Observed(14, 5, false);
    assertThat(s.l0Stalled()).as("still failed: no compaction commit since").isFalse();
    s.l0Observed(14, 5, true); // the compactor looked again and works
    assertThat(s.l0Stalled()).isTrue();
    stop.run();
    assertThat(s.l0Stalled()).as("compactor stopped").isFalse();
    stop.run(); // idempotent
    assertThat(s.compactorRunning(0)).as("limit off registers nothing").isNotNull();
    assertThat(s.l0Stalled()).isFalse();
  }

  @Test
  void optionsCheckTheLimitAndRaiseItToTwiceTheTrigger() {
    assertThat(CompactorOptions.defaults().effectiveL0StopWrites())
        .isEqualTo(CompactorOptions.DEFAULT_L0_STOP_WRITES);
    assertThat(CompactorOptions.defaults().withL0Trigger(30).effectiveL0StopWrites()).isEqualTo(60);
    assertThat(CompactorOptions.defaults().withL0StopWrites(0).effectiveL0StopWrites()).isZero();
    assertThatThrownBy(() -> CompactorOptions.defaults().withL0StopWrites(-1))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("l0StopWrites")
        .hasMessageContaining("-1");
  }
}
