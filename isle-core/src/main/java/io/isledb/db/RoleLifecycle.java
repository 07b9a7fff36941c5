package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The life of one role (writer, reader, tailing reader, compactor, retention compactor, garbage
 * collector, SST writer), held by the role: its constructor opens it (and fences, for a role that
 * appends), {@link #startLoop} starts its background loop at most once, and {@link #markClosed}
 * ends it. Closing is idempotent: only the first {@code markClosed} returns true, so the role
 * releases its executors and children once; any use after that throws CLOSED naming the role and
 * its store. A role that fails (the writer) reports its failure itself, ahead of CLOSED.
 */
@Internal
public final class RoleLifecycle {
  private final String name;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ScheduledFuture<?> loop; // guarded by this

  /** {@code name} names the role and its store in CLOSED messages, e.g. "reader of mem://x". */
  public RoleLifecycle(String name) {
    this.name = name;
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Throws CLOSED once the role is closed. */
  public void checkOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  /** The CLOSED exception naming this role. */
  public IsleException closedException() {
    return IsleException.closed(name);
  }

  /** Marks the role closed; true only for the first call, which must release the role's parts. */
  public boolean markClosed() {
    return closed.compareAndSet(false, true);
  }

  /**
   * Starts the role's {@link BackgroundLoop} on {@code executor} unless it runs already; throws
   * CLOSED after close.
   */
  public synchronized void startLoop(
      ScheduledExecutorService executor, Duration interval, String what, Runnable work) {
    checkOpen();
    if (loop == null) {
      loop = BackgroundLoop.start(executor, interval, what, work);
    }
  }
}
