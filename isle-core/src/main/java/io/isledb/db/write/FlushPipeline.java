package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.db.RoleLifecycle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's flush pipeline: the frozen memtables in generation order, the flush threads that
 * build, upload and (strictly in generation order) commit them, the cuts waiting for them and the
 * writer's failure. A failed flush fails the writer, its cut and every later cut; an earlier
 * memtable still flushing commits or fails on its own, and its cut reports which: a cut never
 * reports a failure for a version that was committed. The close of a failed writer therefore stops
 * the flush threads only once those earlier memtables ended ({@link #stop}).
 *
 * <p>All state is guarded by one monitor; {@link DbWriter} freezes memtables into it under its
 * write lock, so generations rise with sequence numbers. Cut futures are completed after leaving
 * the monitor: a dependent stage never runs while the writer is locked.
 */
final class FlushPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(DbWriter.class);

  private final String location;
  private final RoleLifecycle life;
  private final WriterCommits commits;
  private final FlushCuts cuts;
  private final ExecutorService flusher;
  private final LongSupplier activeEntries;
  private final LongConsumer released;
  private final Runnable firstFailure;
  private final Object monitor = new Object();
  private final ArrayDeque<Memtable> frozen = new ArrayDeque<>();
  private volatile int frozenCount; // frozen.size(), readable without the monitor
  private long rotatedGeneration;
  private long flushedGeneration;
  private volatile IsleException failure;
  // The oldest generation that will not be committed (its flush, or an earlier one, failed);
  // Long.MAX_VALUE while none failed. Written under the monitor.
  private volatile long failedFrom = Long.MAX_VALUE;
  // Completed once every memtable before failedFrom ended (committed, or failed on its own); made
  // by the close of a failed writer. Under the monitor.
  private CompletableFuture<Void> earlierEnded;
  // Set on a flush thread: a close there (from a stage of a cut) cannot wait for its own flush.
  private final ThreadLocal<Boolean> flushing = new ThreadLocal<>();

  /**
   * @param activeEntries the writes in the writer's active memtable (counted as lost by a failure)
   * @param released called with a committed memtable's bytes (the memory budget)
   * @param firstFailure called once, when the writer first fails
   */
  FlushPipeline(
      String location,
      RoleLifecycle life,
      WriterCommits commits,
      FlushCuts cuts,
      ExecutorService flusher,
      LongSupplier activeEntries,
      LongConsumer released,
      Runnable firstFailure) {
    this.location = location;
    this.life = life;
    this.commits = commits;
    this.cuts = cuts;
    this.flusher = flusher;
    this.activeEntries = activeEntries;
    this.released = released;
    this.firstFailure = firstFailure;
  }

  /** The writer's first failure, or null. */
  IsleException failure() {
    return failure;
  }

  /**
   * Adds {@code m} (null: nothing to freeze) as the next generation; with {@code cut}, returns the
   * future of the version holding every memtable frozen so far (see {@link FlushCuts#cut}). Called
   * under the writer's write lock; {@link #start} then flushes {@code m}.
   */
  CompletableFuture<Long> freeze(Memtable m, boolean cut) {
    synchronized (monitor) {
      if (m != null) {
        m.setGeneration(++rotatedGeneration);
        frozen.addLast(m);
        frozenCount = frozen.size();
      }
      return cut
          ? cuts.cut(failure, frozen.isEmpty(), commits.lastCommittedVersion(), rotatedGeneration)
          : null;
    }
  }

  /** Hands a frozen memtable to a flush thread. */
  void start(Memtable m) {
    flusher.execute(() -> flushTask(m));
  }

  /** Waits until every memtable frozen so far is committed, or the writer failed. */
  void awaitFlushed() {
    synchronized (monitor) {
      long target = rotatedGeneration;
      while (flushedGeneration < target && failure == null) {
        waitOn();
      }
    }
  }

  /** Waits while {@code max} memtables are frozen, unless the writer failed or was closed. */
  void awaitRoom(int max) {
    if (frozenCount < max && failure == null && !life.isClosed()) {
      return;
    }
    synchronized (monitor) {
      while (frozen.size() >= max && failure == null && !life.isClosed()) {
        waitOn();
      }
    }
  }

  /** The frozen memtables, newest first. */
  List<Memtable> frozenNewestFirst() {
    if (frozenCount == 0) {
      return List.of();
    }
    List<Memtable> f;
    synchronized (monitor) {
      f = new ArrayList<>(frozen);
    }
    Collections.reverse(f);
    return f;
  }

  private void waitOn() {
    try {
      monitor.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IsleException(
          IsleException.Kind.UNAVAILABLE, "interrupted while waiting for a flush", e);
    }
  }

  /**
   * At the writer's close (marked closed already): stops the flush threads and waits for them. A
   * failed writer first lets every memtable before the failed one end on its own (up to the close
   * timeout): stopping interrupts the threads, and an interrupted commit could land and still be
   * reported failed. The later memtables' uploads are doomed and are interrupted at once.
   */
  void stop() {
    if (failure != null) {
      awaitEarlierFlushes();
    }
    flusher.shutdownNow();
    // A failed writer's later flushes may still be uploading: close returns once they ended,
    // so nothing of the writer is written after it (docs/isle-core.md, "Lifecycle").
    if (!Boolean.TRUE.equals(flushing.get())) {
      life.awaitStopped(flusher, "flushes");
    }
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  private void awaitEarlierFlushes() {
    CompletableFuture<Void> ended;
    synchronized (monitor) {
      if (flushedGeneration >= failedFrom - 1) {
        return;
      }
      if (earlierEnded == null) {
        earlierEnded = new CompletableFuture<>();
      }
      ended = earlierEnded;
    }
    life.awaitDone(ended, "flushes before the failed one");
  }

  /** Under the monitor: {@link #earlierEnded}, taken, if it is due now; else null. */
  private CompletableFuture<Void> earlierEndedIfDue() {
    if (earlierEnded == null || flushedGeneration < failedFrom - 1) {
      return null;
    }
    CompletableFuture<Void> e = earlierEnded;
    earlierEnded = null;
    return e;
  }

  private static void complete(CompletableFuture<Void> f) {
    if (f != null) {
      f.complete(null);
    }
  }

  /** Builds, uploads and (in memtable order) commits one frozen memtable. */
  private void flushTask(Memtable m) {
    flushing.set(Boolean.TRUE);
    try {
      flushMemtable(m);
    } finally {
      flushing.remove();
    }
  }

  private void flushMemtable(Memtable m) {
    if (failedFrom <= m.generation()) {
      return; // this memtable's cut has failed with the writer
    }
    long version;
    try {
      version =
          commits.flushOne(
              m, () -> awaitTurn(m), () -> life.isClosed() || failedFrom <= m.generation());
    } catch (Throwable t) {
      fail(t, m.generation());
      return;
    }
    CompletableFuture<Long> cut;
    CompletableFuture<Void> ended;
    synchronized (monitor) {
      Memtable first = frozen.removeFirst();
      if (first != m) {
        throw IsleException.internal("flushes committed out of order");
      }
      frozenCount = frozen.size();
      flushedGeneration = m.generation();
      cut = cuts.committed(m.generation());
      ended = earlierEndedIfDue();
      monitor.notifyAll();
    }
    if (cut != null) {
      cut.complete(version); // outside the monitor: dependent stages may call the writer
    }
    released.accept(m.approximateBytes());
    complete(ended);
  }

  /**
   * Waits until every memtable frozen before {@code m} is committed; throws the writer's failure if
   * one of them failed. A failure of a later memtable does not stop {@code m}.
   */
  private void awaitTurn(Memtable m) {
    synchronized (monitor) {
      while (flushedGeneration < m.generation() - 1) {
        if (failedFrom < m.generation()) {
          throw WriterFailure.rethrow(failure);
        }
        waitOn();
      }
    }
  }

  /**
   * Fails the writer because of {@code t}, and the cuts of generation {@code from} on: the memtable
   * of that generation will not be committed, so neither will any later one. The memtables before
   * it still in flight go on, and their cuts complete with what happens to them. The first failure
   * is the one every caller sees; its message counts the writes from {@code from} on as lost.
   */
  void fail(Throwable t, long from) {
    IsleException f = null;
    if (failure == null) {
      long lostEntries;
      synchronized (monitor) {
        lostEntries = activeEntries.getAsLong();
        for (Memtable m : frozen) {
          lostEntries += m.generation() >= from ? m.entries() : 0;
        }
      }
      f = WriterFailure.of(t, location, lostEntries);
    }
    List<CompletableFuture<Long>> failedCuts;
    IsleException first;
    boolean isFirst;
    CompletableFuture<Long> unknownCut;
    CompletableFuture<Void> ended;
    synchronized (monitor) {
      if (failedFrom <= from) {
        return; // an earlier memtable's flush failed, this one waited for it: its cut has failed
      }
      isFirst = failure == null && f != null;
      if (isFirst) {
        failure = f;
      }
      first = failure;
      failedFrom = from;
      // A later memtable failed first: this memtable's own cut may have a version after all.
      unknownCut =
          !isFirst && t instanceof WriterFailure.CommitUnknown ? cuts.committed(from) : null;
      failedCuts = cuts.failFrom(from);
      ended = earlierEndedIfDue();
      monitor.notifyAll();
    }
    if (isFirst) {
      LOG.error("writer failed", first);
      firstFailure.run();
    } else {
      LOG.error("writer failed before, and now an earlier memtable's flush too", t);
    }
    if (unknownCut != null) {
      unknownCut.completeExceptionally(
          WriterFailure.cutOutcomeUnknown(first, (WriterFailure.CommitUnknown) t));
    }
    FlushCuts.failEach(failedCuts, first);
    complete(ended);
  }
}
