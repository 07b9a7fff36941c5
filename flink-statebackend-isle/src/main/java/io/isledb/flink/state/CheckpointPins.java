package io.isledb.flink.state;

import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pins this backend wrote for checkpoints not yet confirmed complete, so that an aborted
 * checkpoint's pin is removed by the task even when its handle never reached the JobManager. Pins
 * of completed checkpoints belong to the JobManager (its discard is the unpin); a pin whose
 * checkpoint is neither confirmed nor aborted here (a lost notification, a crashed task) expires
 * with its ttl ({@code state.backend.isle.checkpoint.pin-ttl}).
 *
 * <p>{@link #pinned} runs on the asynchronous snapshot thread, the notifications on the task
 * thread: every method is synchronized.
 */
final class CheckpointPins {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointPins.class);

  /** Aborted checkpoint ids remembered for a pin still to come; older ones are forgotten. */
  static final int MAX_ABORTED = 1024;

  private final StateDb db;
  private final TreeMap<Long, String> pending = new TreeMap<>();
  private final NavigableSet<Long> aborted = new TreeSet<>();

  CheckpointPins(StateDb db) {
    this.db = db;
  }

  /**
   * Records the pin of checkpoint {@code id}, written by its asynchronous phase. Returns false (and
   * removes the pin) when the checkpoint was aborted meanwhile: its handle must not be reported.
   */
  synchronized boolean pinned(long id, String pinName) {
    if (aborted.contains(id)) {
      unpin(id, pinName);
      return false;
    }
    pending.put(id, pinName);
    return true;
  }

  /** Checkpoint {@code id} completed: its pin and earlier ones are the JobManager's now. */
  synchronized void completed(long id) {
    pending.headMap(id, true).clear();
    aborted.headSet(id, true).clear();
  }

  /** Checkpoint {@code id} was aborted: its pin goes now, or as soon as it is written. */
  synchronized void aborted(long id) {
    String pin = pending.remove(id);
    if (pin != null) {
      unpin(id, pin);
      return;
    }
    aborted.add(id);
    while (aborted.size() > MAX_ABORTED) {
      aborted.pollFirst();
    }
  }

  /**
   * The asynchronous phase of checkpoint {@code id} as a task that removes the phase's pin when the
   * phase does not hand its handle over: it failed after pinning, or the task was cancelled before
   * it finished (Flink drops a cancelled phase's result, so the handle never reaches the JobManager
   * and nothing would discard the pin before its ttl). A result set before the cancellation is
   * delivered: the cancellation then fails, and the pin stays.
   */
  <T> RunnableFuture<T> phase(long id, Callable<T> phase) {
    return new FutureTask<>(phase) {
      @Override
      protected void set(T result) {
        super.set(result);
        if (isCancelled()) {
          abandoned(id);
        }
      }

      @Override
      protected void setException(Throwable failure) {
        super.setException(failure);
        abandoned(id);
      }
    };
  }

  /** Checkpoint {@code id}'s phase ended without handing its handle over: its pin goes now. */
  synchronized void abandoned(long id) {
    String pin = pending.remove(id);
    if (pin != null) {
      unpin(id, pin);
    }
  }

  /** Pins written and neither completed nor aborted yet (for tests). */
  synchronized Map<Long, String> pending() {
    return Map.copyOf(pending);
  }

  private void unpin(long id, String pinName) {
    try {
      db.unpin(pinName);
    } catch (RuntimeException e) {
      // Not fatal: the pin expires with its ttl.
      LOG.warn("cannot remove the pin {} of aborted checkpoint {}", pinName, id, e);
    }
  }
}
