package io.isledb.db;

import io.isledb.util.Internal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the roles of one database in this JVM that the writer committed, so a compactor evaluates
 * right after a commit instead of polling the manifest. While a writer of the database is open in
 * this JVM, nothing can be committed without it signalling (the writer role fences every other
 * writer), so a compactor skips its periodic look when no commit was signalled since the last one:
 * an idle database costs no requests. Without an in-process writer, the periodic look stays (the
 * writer runs elsewhere).
 *
 * <p>It also carries the L0 stall ({@link io.isledb.CompactorOptions#l0StopWrites()}): the writer
 * and the compactor report the number of L0 tables of each version they commit or read, and while a
 * compactor of the database runs in this JVM and the newest reported version has at least its limit
 * of L0 tables, writes wait ({@link #awaitL0Room}) until a compaction brings L0 below it. Every L0
 * table is one more seek for each read, so without the stall a writer faster than its compactor
 * leaves reads paying for a backlog that only shrinks once writing stops. A compactor that fails
 * (or closes, or stops running) lifts the stall until its next commit: writes never wait for a
 * compaction that is not coming.
 */
@Internal
public final class CommitSignal {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CommitSignal.class);
  private final AtomicLong commits = new AtomicLong();
  private final AtomicInteger writers = new AtomicInteger();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Called by a writer after each commit. */
  public void committed() {
    commits.incrementAndGet();
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** Commits signalled so far. */
  public long commits() {
    return commits.get();
  }

  /**
   * Called by a writer when it opens; it runs the returned action (idempotent) when it closes or
   * fails, since a failed writer (fenced, for example) no longer sees every commit.
   */
  public Runnable writerOpened() {
    writers.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        writers.decrementAndGet();
      }
    };
  }

  /** Whether a writer of the database is open in this JVM (so every commit is signalled). */
  public boolean hasLocalWriter() {
    return writers.get() > 0;
  }

  // ------------------------------------------------------------------ L0 stall

  private final Object l0Monitor = new Object();
  private final List<Integer> stopLimits = new java.util.ArrayList<>(); // of running compactors
  private long l0Version = -1; // the newest version reported, and its L0 tables
  private int l0Tables;
  private boolean compactionFailed; // since the last compaction commit: no stall
  private volatile boolean stalled;
  private final AtomicLong stalls = new AtomicLong();

  /**
   * Reports that version {@code version} (committed or read by a role of this JVM) has {@code
   * tables} L0 tables; {@code compacted} marks a compactor's own commit, which ends the lift a
   * failed compaction put on the stall. Reports of versions older than one reported before are
   * ignored, so a late report of a flush cannot restore a backlog a compaction has already cleared.
   */
  public void l0Observed(long version, int tables, boolean compacted) {
    synchronized (l0Monitor) {
      if (compacted) {
        compactionFailed = false;
      }
      if (version >= l0Version) {
        l0Version = version;
        l0Tables = tables;
      }
      update();
    }
  }

  /**
   * Called by a compactor whose background loop runs, with its stop limit (0: none); returns the
   * action (idempotent) to run when it stops.
   */
  public Runnable compactorRunning(int stopAt) {
    if (stopAt <= 0) {
      return () -> {};
    }
    Integer limit = stopAt;
    synchronized (l0Monitor) {
      stopLimits.add(limit);
      update();
    }
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        synchronized (l0Monitor) {
          stopLimits.remove(limit);
          update();
        }
      }
    };
  }

  /** Called by a running compactor whose pass failed: writes stop waiting for it. */
  public void compactionFailed() {
    synchronized (l0Monitor) {
      compactionFailed = true;
      update();
    }
  }

  /**
   * Returns once writes need not wait for compaction (at once unless stalled). While waiting, runs
   * {@code usable} (which throws if the writer failed or closed) at least every 100 ms.
   */
  public void awaitL0Room(Runnable usable) {
    if (!stalled) {
      return;
    }
    synchronized (l0Monitor) {
      if (stalled) {
        stalls.incrementAndGet();
      }
      while (stalled) {
        usable.run();
        try {
          l0Monitor.wait(100); // a writer's close or failure does not notify this monitor
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new io.isledb.IsleException(
              io.isledb.IsleException.Kind.UNAVAILABLE,
              "interrupted while waiting for compaction to reduce L0 (" + l0Tables + " tables)",
              e);
        }
      }
    }
  }

  /** Whether writes wait for compaction now. */
  public boolean l0Stalled() {
    return stalled;
  }

  /** Writes that had to wait for compaction so far (for tests and metrics). */
  public long l0Stalls() {
    return stalls.get();
  }

  private void update() {
    int limit = 0;
    for (int l : stopLimits) {
      limit = limit == 0 ? l : Math.min(limit, l);
    }
    boolean now = limit > 0 && !compactionFailed && l0Tables >= limit;
    if (now != stalled) {
      stalled = now;
      if (now) {
        LOG.info(
            "writes wait for compaction: version {} has {} L0 tables (stop at {})",
            l0Version,
            l0Tables,
            limit);
      } else {
        l0Monitor.notifyAll();
      }
    }
  }

  /** Runs {@code listener} (quickly: it should only hand work to an executor) after each commit. */
  public Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
