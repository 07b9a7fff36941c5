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
 * <p>Bounded: a requested flush holds compactions for at most {@link #MAX_PAUSE_RECHECKS} rechecks
 * (about 10 s; a flush stuck on storage must not stop compaction with it), and a compaction does
 * not pause when its role closes or when writes already wait for it (the L0 stall).
 */
@Internal
public final class FlushPriority {
  /** How often a pausing compaction rechecks whether it may go on. */
  static final long RECHECK_MILLIS = 100;

  /**
   * Rechecks one requested flush may hold compactions for: 100 of {@value #RECHECK_MILLIS} ms,
   * about 10 s. Counted in rechecks, not read from a clock (the engine reads time only from {@code
   * DBOptions.clock()}, and these resources serve databases with different clocks).
   */
  public static final int MAX_PAUSE_RECHECKS = 100;

  private final Object monitor = new Object();
  // The requested flushes not yet ended, each with the rechecks it has held compactions for.
  // Guarded by monitor; requested is its size, readable without the monitor.
  private final Map<Object, int[]> open = new HashMap<>();
  private volatile int requested;
  private volatile int waiting; // compactions in yieldToFlushes now; written under monitor
  private final AtomicLong pauses = new AtomicLong();
  private final int maxRechecks;

  /** Requested flushes hold compactions for at most {@link #MAX_PAUSE_RECHECKS} rechecks. */
  public FlushPriority() {
    this(MAX_PAUSE_RECHECKS);
  }

  /** For tests: requested flushes hold compactions for at most {@code maxRechecks} rechecks. */
  FlushPriority(int maxRechecks) {
    this.maxRechecks = maxRechecks;
  }

  /**
   * Marks a requested flush as running until the returned action runs (once; later runs do
   * nothing), or until it has held compactions for {@link #MAX_PAUSE_RECHECKS} rechecks: a flush
   * stuck on storage, or one whose end is never reported, does not hold them longer.
   */
  public Runnable flushRequested() {
    Object token = new Object();
    synchronized (monitor) {
      open.put(token, new int[1]);
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

  /** Whether a requested flush runs now (not ended, and not past its rechecks). */
  public boolean flushing() {
    return requested > 0;
  }

  /**
   * For a compaction, between entries: returns at once if no requested flush runs (one volatile
   * read), else waits until none runs (ended or past its rechecks) or {@code goOn} says the
   * compaction must not wait (its role closed, writes stalled on it), rechecked every {@value
   * #RECHECK_MILLIS} ms.
   */
  public void yieldToFlushes(BooleanSupplier goOn) {
    if (requested == 0) {
      return;
    }
    boolean paused = false;
    synchronized (monitor) {
      waiting++;
      try {
        while (!open.isEmpty() && !goOn.getAsBoolean()) {
          paused = true;
          monitor.wait(RECHECK_MILLIS);
          // Each request still running has held compactions one recheck longer.
          open.values().removeIf(held -> ++held[0] >= maxRechecks);
          requested = open.size();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        waiting--;
      }
    }
    if (paused) {
      pauses.incrementAndGet();
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
}
