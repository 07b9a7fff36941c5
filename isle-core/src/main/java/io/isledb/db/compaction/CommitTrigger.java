package io.isledb.db.compaction;

import io.isledb.db.BackgroundLoop;
import io.isledb.db.CommitSignal;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a compactor's work after each commit of a writer in this JVM, and at the polling interval
 * only when it may have missed one: while a writer of the database is open in this JVM every commit
 * is signalled, so a periodic look with no commit since the previous look is skipped (no request).
 * With the writer in another process, the periodic look polls as before.
 */
final class CommitTrigger {
  private final CommitSignal signal;
  private final ScheduledExecutorService executor;
  private final Runnable work;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final Object lock = new Object();
  private long seen = -1; // commits() at the start of the last look; -1: never looked
  private Runnable unsubscribe = () -> {};
  private volatile String what = "compactor";
  private volatile boolean started; // false until the start delay passed

  CommitTrigger(CommitSignal signal, ScheduledExecutorService executor, Runnable work) {
    this.signal = signal;
    this.executor = executor;
    this.work = work;
  }

  /**
   * Starts the periodic look and the commit subscription; the returned loop is to be cancelled. The
   * first look comes {@code delay} after the call; commits before it are not acted on (the first
   * look finds their work).
   */
  java.util.concurrent.ScheduledFuture<?> start(Duration interval, Duration delay, String what) {
    this.what = what;
    started = delay.isZero();
    unsubscribe = signal.subscribe(this::onCommit);
    return BackgroundLoop.start(
        executor,
        delay,
        interval,
        what,
        () -> {
          started = true;
          look(false);
        });
  }

  void stop() {
    unsubscribe.run();
  }

  private void onCommit() {
    if (started && queued.compareAndSet(false, true)) {
      try {
        // Its future is never read: a failure is logged by the loop's handling, not lost.
        executor.execute(
            BackgroundLoop.guarded(
                what,
                () -> {
                  queued.set(false);
                  look(true);
                }));
      } catch (RejectedExecutionException e) {
        queued.set(false); // closing
      }
    }
  }

  private void look(boolean signalled) {
    synchronized (lock) {
      long now = signal.commits();
      if (!signalled && seen >= 0 && now == seen && signal.hasLocalWriter()) {
        return;
      }
      seen = now;
      work.run();
    }
  }
}
