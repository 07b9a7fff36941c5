package io.isledb.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A bounded wait for a condition that nothing signals (a counter of a background pool, a thread's
 * state): re-checks it with a short, growing pause and fails with {@code what} once {@code timeout}
 * ran out. The timeout is a safety bound only: a test passes as soon as the condition holds, and no
 * assertion depends on how long that took. Prefer a latch or {@link ProgressSignal} where the code
 * under test can signal.
 */
public final class Awaiting {
  private Awaiting() {}

  /** Returns once {@code condition} holds; fails with {@code what} after {@code timeout}. */
  public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseNanos = TimeUnit.MICROSECONDS.toNanos(100);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not reached within " + timeout + ": " + what.get());
      }
      LockSupport.parkNanos(pauseNanos);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what.get());
      }
      pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /**
   * Returns once {@code thread} has ended or runs inside a method named {@code method} (for example
   * a close that waits for background work: {@code "awaitStopped"}), whichever comes first; tells
   * apart "returned at once" from "waits" without a sleep.
   */
  public static void untilEndedOrInside(Thread thread, String method, Duration timeout) {
    until(
        () ->
            thread.getState() == Thread.State.TERMINATED
                || java.util.Arrays.stream(thread.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals(method)),
        timeout,
        () -> thread.getName() + " ended or inside " + method);
  }

  /**
   * Waits for {@code latch} like a store call that does not stop when its thread is interrupted (a
   * close that interrupts a role's threads must still wait for it); keeps the interrupt status.
   * Fails after {@code timeout} (a safety bound only).
   */
  public static void latchIgnoringInterrupts(
      java.util.concurrent.CountDownLatch latch, Duration timeout) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("latch not released within " + timeout);
          }
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits for {@code latch}; fails with {@code what} after {@code timeout} (a safety bound only:
   * for a request held until another one is sent, "not sent while this one was in flight").
   */
  public static void latch(
      java.util.concurrent.CountDownLatch latch, Duration timeout, String what) {
    try {
      if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AssertionError("not released within " + timeout + ": " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for: " + what, e);
    }
  }
}
