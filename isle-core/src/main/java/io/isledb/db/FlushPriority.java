package io.isledb.db;

import io.isledb.util.Internal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Requested flushes first: while a flush that a caller waits for ({@code Writer.flush}, {@code
 * flushAsync}: a Flink checkpoint's cut) runs in any database sharing these resources, merge
 * compactions pause between entries. One per {@link Resources}: JVM-wide for shared resources,
 * where the flush and compaction threads share the machine's cores.
 *
 * <p>Why: a checkpoint's time is the time of its flush, and nothing waits for a compaction. On a
 * machine with few cores, a compaction running beside a checkpoint's flush took as many CPU samples
 * as the flush itself (docs/BENCHMARKS.md, the checkpoint profile). Background flushes (a full
 * memtable, the flush interval) do not pause compactions: under a steady stream of writes they run
 * back to back, and compaction must keep up with them.
 *
 * <p>Bounded: a requested flush pauses compactions for at most {@link #MAX_PAUSE_MILLIS} after its
 * start (a flush stuck on storage must not stop compaction with it), and a compaction does not
 * pause when its role closes or when writes already wait for it (the L0 stall).
 */
@Internal
public final class FlushPriority {
  /** How long after its start a requested flush still pauses compactions. */
  public static final long MAX_PAUSE_MILLIS = 10_000;

  /** How often a pausing compaction rechecks whether it must go on. */
  private static final long RECHECK_MILLIS = 100;

  private final Object monitor = new Object();
  // The requested flushes not yet ended, each with the System.nanoTime() until which it pauses
  // compactions. Guarded by monitor; requested is its size, readable without the monitor.
  private final Map<Object, Long> open = new HashMap<>();
  private volatile int requested;
  private volatile int waiting; // compactions in yieldToFlushes now; written under monitor
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicLong pausedNanos = new AtomicLong();
  private final long maxPauseNanos;

  /** Requested flushes pause compactions for at most {@link #MAX_PAUSE_MILLIS}. */
  public FlushPriority() {
    this(MAX_PAUSE_MILLIS);
  }

  /** For tests: requested flushes pause compactions for at most {@code maxPauseMillis}. */
  FlushPriority(long maxPauseMillis) {
    this.maxPauseNanos = maxPauseMillis * 1_000_000L;
  }

  /**
   * Marks a requested flush as running until the returned action runs (once; later runs do
   * nothing), or for at most {@link #MAX_PAUSE_MILLIS} (by default): a flush stuck on storage, or
   * one whose end is never reported, does not hold compactions longer.
   */
  public Runnable flushRequested() {
    Object token = new Object();
    synchronized (monitor) {
      open.put(token, System.nanoTime() + maxPauseNanos);
      requested = open.size();
    }
    return () -> {
      synchronized (monitor) {
        if (open.remove(token) != null) {
          requested = open.size();
          if (requested == 0) {
            monitor.notifyAll();
          }
        }
      }
    };
  }

  /** Whether a requested flush runs now (not ended, and within its time). */
  public boolean flushing() {
    synchronized (monitor) {
      return pausing(System.nanoTime()) > 0;
    }
  }

  /**
   * Nanoseconds until the last running request stops pausing compactions, 0 if none does; forgets
   * the requests past their time (their ends, if they come, find nothing to remove).
   */
  private long pausing(long now) {
    open.values().removeIf(until -> until - now <= 0);
    requested = open.size();
    long latest = 0;
    for (long until : open.values()) {
      latest = Math.max(latest, until - now);
    }
    return latest;
  }

  /**
   * For a compaction, between entries: returns at once if no requested flush runs (one volatile
   * read), else waits until none runs (ended or past its time) or {@code goOn} says the compaction
   * must not wait (its role closed, writes stalled on it), checked every {@value #RECHECK_MILLIS}
   * ms.
   */
  public void yieldToFlushes(BooleanSupplier goOn) {
    if (requested == 0) {
      return;
    }
    long start = System.nanoTime();
    boolean paused = false;
    synchronized (monitor) {
      waiting++;
      try {
        while (!goOn.getAsBoolean()) {
          long left = pausing(System.nanoTime());
          if (left <= 0) {
            break;
          }
          paused = true;
          monitor.wait(Math.max(1, Math.min(RECHECK_MILLIS, left / 1_000_000L)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        waiting--;
      }
    }
    if (paused) {
      pauses.incrementAndGet();
      pausedNanos.addAndGet(System.nanoTime() - start);
    }
  }

  /** How many compactions are in {@link #yieldToFlushes} now. */
  public int waiting() {
    return waiting;
  }

  /** How many times compactions paused for a requested flush. */
  public long pauses() {
    return pauses.get();
  }

  /** How long compactions paused in all, in nanoseconds. */
  public long pausedNanos() {
    return pausedNanos.get();
  }
}
