package io.isledb.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A generation counter that test threads bump whenever they made progress (a batch acknowledged, a
 * commit, a compaction) or ended, so other threads wait for the next step instead of sleeping: an
 * idle compactor waits for the writer's next batch, the test's main thread waits until every role
 * has done its part. Every wait is bounded and fails with a message saying what did not happen.
 */
public final class ProgressSignal {
  private long generation;

  /** Something changed: wakes every waiter. */
  public synchronized void signal() {
    generation++;
    notifyAll();
  }

  /** The current generation, to pass to {@link #awaitAfter}. */
  public synchronized long generation() {
    return generation;
  }

  /**
   * Waits until the generation moved past {@code seen} and returns the new one; fails with {@code
   * what} if nothing signalled within {@code timeout}.
   */
  public synchronized long awaitAfter(long seen, Duration timeout, Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (generation == seen) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no progress within " + timeout + ": " + what.get());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return generation;
  }

  /**
   * Waits until {@code condition} holds, re-checking it at every signal; fails with {@code what} if
   * no signal came for {@code quietTimeout} while it did not hold. {@code check} runs before each
   * evaluation (for example to rethrow a failed thread's error).
   */
  public void awaitCondition(
      BooleanSupplier condition, Runnable check, Duration quietTimeout, Supplier<String> what)
      throws InterruptedException {
    while (true) {
      long seen = generation();
      check.run();
      if (condition.getAsBoolean()) {
        return;
      }
      awaitAfter(seen, quietTimeout, what);
    }
  }

  /** A body run in a pool that signals when it ends, failed or not. */
  public interface Body {
    void run() throws Exception;
  }

  /** Submits {@code body} to {@code pool}; this signal is raised when it ends, failed or not. */
  public java.util.concurrent.Future<?> submit(
      java.util.concurrent.ExecutorService pool, Body body) {
    return pool.submit(
        () -> {
          try {
            body.run();
          } finally {
            signal();
          }
          return null;
        });
  }
}
