package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flush's log edit has landed and its response is still on its way (held) or lost: a cut never
 * reports a failure for a version that was committed. Closing a failed writer lets an earlier cut
 * still committing finish (stopping the flush threads at once interrupted that commit, a store
 * client then loses the response, and the cut was reported failed for a version that was
 * committed); when every response is lost and no retry is left, nobody knows whether the memtable
 * committed, and its cut and the writer's failure say so instead of calling its writes lost.
 */
class FlushCommitOutcomeTest {
  private static final Duration WAIT = Duration.ofMinutes(1);
  private static final WriterOptions WO =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withFlushRetries(0);

  private volatile boolean armed;
  private volatile boolean holdFirstCommit;
  private volatile boolean loseResponses = true;
  private final AtomicBoolean commitHeld = new AtomicBoolean();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHeld() {
    release.countDown(); // never leave a flush thread held
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Once armed, every log create lands and then, with {@link #loseResponses}, loses its response;
   * with {@link #holdFirstCommit} the first one is held until {@link #release} first, like a store
   * call that aborts when its thread is interrupted (its response, and every retry's while the
   * thread stays interrupted, is then lost). A table upload made while a commit is held fails.
   */
  private HookedObjectStore store() {
    return new HookedObjectStore(
        new InMemoryObjectStore(),
        (op, phase, name) -> {
          if (!armed) {
            return;
          }
          if (op == Op.UPLOAD_COMPLETE
              && phase == Phase.BEFORE
              && name.startsWith(ManifestPaths.SST_DIR)
              && commitHeld.get()) {
            throw new IsleException(IsleException.Kind.CORRUPTION, "injected: upload refused");
          }
          if (op != Op.CREATE_IF_ABSENT
              || phase != Phase.AFTER
              || !name.startsWith(ManifestPaths.LOG_DIR)) {
            return;
          }
          if (holdFirstCommit && commitHeld.compareAndSet(false, true)) {
            held.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (loseResponses || Thread.currentThread().isInterrupted()) {
            throw IsleException.unavailable("injected: response of " + name + " lost", null);
          }
        });
  }

  /** Cut 2's upload fails while cut 1's commit is held (its edit has landed). */
  private IsleException failSecondWhileFirstIsHeld(Writer w, CompletableFuture<Long> first)
      throws InterruptedException {
    assertThat(held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cut 1's edit landed").isTrue();
    w.put(b("b"), b("2"));
    IsleException later = FlushAsyncTest.failureOf(w.flushAsync());
    assertThat(later).hasMessageContaining("injected: upload refused");
    assertThat(first).as("cut 1 is still committing").isNotDone();
    return later;
  }

  private static void assertCommitted(HookedObjectStore store, IsleDB db) {
    assertThat(new Manifest(store).loadLatest().lastSeq())
        .as("cut 1's write is in, cut 2's is not")
        .isEqualTo(1);
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.get(b("a"))).hasValue(b("1"));
      assertThat(r.get(b("b"))).isEmpty();
    }
  }

  @Test
  void aCommitWhoseResponsesAreLostIsReportedUnknownNotLost() throws Exception {
    HookedObjectStore store = store();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      armed = true;
      w.put(b("a"), b("1"));
      IsleException f = FlushAsyncTest.failureOf(w.flushAsync());
      assertThat(f.getMessage())
          .contains("may have landed", "no other accepted write")
          .doesNotContain("1 accepted writes that were not yet flushed are lost");
      armed = false;
      assertCommitted(store, db);
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }

  @Test
  void anEarlierCutWhoseCommitIsUnknownAfterALaterFailureSaysSo() throws Exception {
    HookedObjectStore store = store();
    holdFirstCommit = true;
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      armed = true;
      w.put(b("a"), b("1"));
      CompletableFuture<Long> first = w.flushAsync();
      IsleException later = failSecondWhileFirstIsHeld(w, first);
      release.countDown();
      IsleException f = FlushAsyncTest.failureOf(first);
      assertThat(f.getMessage())
          .as("cut 1's own outcome, not only the later failure")
          .contains("outcome of this cut is unknown", "may have landed", later.getMessage());
      armed = false;
      assertCommitted(store, db);
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }

  @Test
  void closingAFailedWriterLetsAnEarlierCutStillCommittingFinishAndReportItsVersion()
      throws Exception {
    HookedObjectStore store = store();
    holdFirstCommit = true;
    loseResponses = false;
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      armed = true;
      w.put(b("a"), b("1"));
      CompletableFuture<Long> first = w.flushAsync();
      failSecondWhileFirstIsHeld(w, first);

      Thread closer =
          new Thread(
              () -> {
                try {
                  w.close();
                } catch (IsleException expected) {
                  // the writer's failure
                }
              },
              "closer");
      closer.start();
      Awaiting.until(() -> ((Resource) w).isClosed(), WAIT, () -> "close begun");
      // Either close interrupted cut 1 and returned (the defect) or it waits for cut 1.
      Awaiting.untilEndedOrInside(closer, "awaitEarlierFlushes", WAIT);
      release.countDown();
      closer.join(WAIT.toMillis());
      assertThat(closer.isAlive()).as("close returned").isFalse();

      assertThat(first)
          .as("cut 1 reports the version that committed it, not a failure")
          .succeedsWithin(WAIT)
          .isEqualTo(new Manifest(store).loadLatest().seq());
      assertCommitted(store, db);
    }
  }
}
