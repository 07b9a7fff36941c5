package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A role's close (cancel its loop, shutdown, awaitTermination) must not return while a run of the
 * role is still executing: a cancelled future is "done" at once, but its body goes on (a compactor
 * writing a table into a database that is being closed).
 */
class RoleExecutorShutdownTest {

  @Test
  void awaitTerminationWaitsForARunningTaskWhoseFutureWasCancelled() throws Exception {
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1);
    try {
      RoleExecutor role = new RoleExecutor(pool, "test-role", new AtomicLong());
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ScheduledFuture<?> loop =
          role.scheduleWithFixedDelay(
              () -> {
                running.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              0,
              1,
              TimeUnit.DAYS);
      running.await();
      loop.cancel(false); // as DbCompactor.close cancels its loop while a look runs
      role.shutdown();

      // The body is still blocked on the latch: the role has not terminated.
      assertThat(role.awaitTermination(20, TimeUnit.MILLISECONDS)).isFalse();
      assertThat(role.isTerminated()).isFalse();

      release.countDown();
      assertThat(role.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
      assertThat(role.isTerminated()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }
}
