package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A requested GC pass ends while the collector is closed: what runs after the pass on the
 * collector's thread (the stages of the requested pass's future) must have ended when close
 * returns, as every role's work must (docs/isle-core.md, "Lifecycle"). Deterministic: the pass and
 * the stage are held by latches.
 */
class GcCloseTest {
  private static final long WAIT_SECONDS = 60;

  @Test
  void closeAwaitsWhatRunsAfterARequestedPassOnTheCollectorsThread() throws Exception {
    CountDownLatch passHeld = new CountDownLatch(1);
    CountDownLatch passRelease = new CountDownLatch(1);
    CountDownLatch stageHeld = new CountDownLatch(1);
    CountDownLatch stageRelease = new CountDownLatch(1);
    Queue<String> events = new ConcurrentLinkedQueue<>();
    HookedObjectStore.Hook hook =
        (op, phase, name) -> {
          if (op == Op.LIST
              && phase == Phase.BEFORE
              && Thread.currentThread().getName().contains("isledb-gc")
              && passHeld.getCount() > 0) {
            passHeld.countDown();
            Awaiting.latchIgnoringInterrupts(passRelease, Duration.ofSeconds(WAIT_SECONDS));
          }
        };
    try (HookedObjectStore store = new HookedObjectStore(new InMemoryObjectStore(), hook);
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      GarbageCollector gc = db.openGarbageCollector(new GcOptions(Duration.ofDays(1)));
      CompletableFuture<GcResult> pass = gc.requestPass();
      assertThat(passHeld.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("pass running").isTrue();
      pass.whenComplete(
          (r, e) -> {
            stageHeld.countDown();
            Awaiting.latchIgnoringInterrupts(stageRelease, Duration.ofSeconds(WAIT_SECONDS));
            events.add("stage ended");
          });
      passRelease.countDown();
      assertThat(stageHeld.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("stage running").isTrue();

      Thread closer =
          new Thread(
              () -> {
                gc.close();
                events.add("CLOSED");
              },
              "closer");
      closer.start();
      Awaiting.untilEndedOrInside(closer, "awaitStopped", Duration.ofSeconds(WAIT_SECONDS));
      stageRelease.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertThat(closer.isAlive()).as("close returned").isFalse();
      assertThat(new ArrayList<>(events)).containsExactly("stage ended", "CLOSED");
    }
  }
}
