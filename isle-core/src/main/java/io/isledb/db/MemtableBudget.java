package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memtable bytes of every writer sharing {@link io.isledb.IsleResources}, held under one
 * budget. A writer counts the bytes it adds and gives them back when their memtable is committed
 * (or the writer closes or fails). Before a put, {@link #awaitRoom} makes sure the total is below
 * the budget: when it is not, the largest active memtable is flushed if nothing is being flushed
 * yet, and the put waits until a flush frees bytes.
 *
 * <p>Never deadlocks: a waiting put holds no writer lock; it only waits while some memtable is
 * frozen (its flush frees the bytes, and flushes never wait for the budget); with nothing frozen it
 * freezes the largest active memtable itself, and with no bytes held at all it proceeds. A total
 * can exceed the budget by at most one entry per concurrently writing thread.
 */
@Internal
public final class MemtableBudget {
  private static final Logger LOG = LoggerFactory.getLogger(MemtableBudget.class);

  /** How a writer's active memtable is measured and frozen. */
  public interface Writer {
    long activeBytes();

    /** Freezes the active memtable and starts its flush (no-op if empty or closed). */
    void freezeActive();
  }

  /** One writer's share. */
  public final class Member {
    private final Writer writer;
    private final AtomicLong held = new AtomicLong();

    private Member(Writer writer) {
      this.writer = writer;
    }

    /** Counts {@code bytes} added to the active memtable. */
    public void added(long bytes) {
      held.addAndGet(bytes);
      long now = used.addAndGet(bytes);
      peak.accumulateAndGet(now, Math::max);
    }

    /** Gives back the bytes of a committed memtable. */
    public void released(long bytes) {
      long b = Math.min(bytes, held.get());
      held.addAndGet(-b);
      used.addAndGet(-b);
      wake();
    }

    /** Gives back everything (writer closed or failed) and stops counting it. */
    public void leave() {
      members.remove(this);
      released(held.get());
    }

    long frozenBytes() {
      return Math.max(0, held.get() - writer.activeBytes());
    }
  }

  private final long budget;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final Set<Member> members = ConcurrentHashMap.newKeySet();
  private final Object monitor = new Object();

  public MemtableBudget(long budget) {
    this.budget = budget;
  }

  public Member join(Writer writer) {
    Member m = new Member(writer);
    members.add(m);
    return m;
  }

  public long used() {
    return used.get();
  }

  /** The highest total seen (for tests and metrics). */
  public long peak() {
    return peak.get();
  }

  public long budget() {
    return budget;
  }

  /**
   * Returns once the total is below the budget, flushing the largest active memtable when nothing
   * is being flushed. {@code usable} throws if the calling writer failed or closed meanwhile.
   */
  public void awaitRoom(Runnable usable) {
    while (used.get() >= budget) {
      usable.run();
      long frozen = 0;
      Member largest = null;
      long largestActive = 0;
      for (Member m : members) {
        frozen += m.frozenBytes();
        long a = m.writer.activeBytes();
        if (a > largestActive) {
          largestActive = a;
          largest = m;
        }
      }
      if (frozen == 0) {
        if (largest == null) {
          return; // nothing held in memtables: the count is catching up with a release
        }
        try {
          largest.writer.freezeActive();
        } catch (RuntimeException e) {
          LOG.debug("could not flush a memtable for the memtable budget: {}", e.toString());
          largest.leave(); // a closed or failed writer frees its bytes
        }
        continue;
      }
      synchronized (monitor) {
        if (used.get() >= budget) {
          try {
            // Timed: active bytes change without a notification (a writer freezing on its own).
            monitor.wait(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsleException(
                IsleException.Kind.UNAVAILABLE,
                "interrupted while waiting for the memtable budget of " + budget + " bytes",
                e);
          }
        }
      }
    }
  }

  private void wake() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }
}
