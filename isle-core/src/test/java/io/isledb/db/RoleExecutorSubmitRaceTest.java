package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.testing.Awaiting;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A task submitted to a role while the role shuts down (a commit signal arriving during a
 * compactor's close) is either refused or awaited: awaitTermination must not report the role
 * terminated while such a task runs. The pool's submit is held by latches at the exact point.
 */
class RoleExecutorSubmitRaceTest {
  private static final long WAIT_SECONDS = 60;

  @Test
  void aTaskSubmittedDuringShutdownIsRefusedOrAwaited() throws Exception {
    CountDownLatch inSubmit = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Queue<String> events = new ConcurrentLinkedQueue<>();
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(1) {
          @Override
          public Future<?> submit(Runnable task) {
            inSubmit.countDown();
            await(proceed);
            Future<?> f = super.submit(task);
            await(started); // the pool runs it before the role has tracked it
            return f;
          }
        };
    try {
      RoleExecutor role = new RoleExecutor(pool, "test-role", new AtomicLong());
      Thread submitter =
          new Thread(
              () -> {
                try {
                  role.execute(
                      () -> {
                        started.countDown();
                        await(finish);
                        events.add("task ended");
                      });
                } catch (RejectedExecutionException e) {
                  events.add("refused");
                }
              },
              "submitter");
      submitter.start();
      assertThat(inSubmit.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      Thread closer =
          new Thread(
              () -> {
                role.shutdown();
                try {
                  events.add("terminated " + role.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "closer");
      closer.start();
      // Either the closer already finished (the defect) or it waits for the submission.
      Awaiting.until(
          () ->
              closer.getState() == Thread.State.TERMINATED
                  || closer.getState() == Thread.State.BLOCKED,
          Duration.ofSeconds(WAIT_SECONDS),
          () -> "closer done or blocked");
      proceed.countDown();
      submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      if (!events.contains("refused")) {
        assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // Awaiting is the fixed behaviour: the closer must still be waiting for the task here.
        Awaiting.until(
            () ->
                closer.getState() != Thread.State.BLOCKED
                    && closer.getState() != Thread.State.RUNNABLE,
            Duration.ofSeconds(WAIT_SECONDS),
            () -> "closer waiting or done");
        finish.countDown();
      }
      closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertThat(List.copyOf(events))
          .as("a task submitted during shutdown is refused or ends before termination is reported")
          .isIn(List.of("refused", "terminated true"), List.of("task ended", "terminated true"));
    } finally {
      finish.countDown();
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("latch never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
