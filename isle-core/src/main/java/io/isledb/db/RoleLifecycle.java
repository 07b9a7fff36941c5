package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(RoleLifecycle.class);

  /** How long a closing role waits for its work before it gives up, saying so. */
  static final long STOP_WAIT_MINUTES = 1;

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
    startLoop(executor, Duration.ZERO, interval, what, work);
  }

  /** Refuses a negative start delay of {@code role}'s background loop (INVALID_ARGUMENT). */
  public static void checkStartDelay(Duration delay, String role) {
    if (delay.isNegative()) {
      throw IsleException.invalidArgument(
          "the " + role + "'s start delay must not be negative, got " + delay);
    }
  }

  /** {@link #startLoop} whose first run comes {@code initialDelay} after the call. */
  public synchronized void startLoop(
      ScheduledExecutorService executor,
      Duration initialDelay,
      Duration interval,
      String what,
      Runnable work) {
    checkOpen();
    if (loop == null) {
      loop = BackgroundLoop.start(executor, initialDelay, interval, what, work);
    }
  }

  /**
   * At close, after {@code executor} was shut down: waits until the role's work on it ended, so
   * nothing of the role runs (or writes) once its close returned (docs/isle-core.md, "Lifecycle").
   * A wait that times out or is interrupted is logged, never silent; returns whether it ended.
   */
  public boolean awaitStopped(ExecutorService executor, String what) {
    try {
      if (executor.awaitTermination(STOP_WAIT_MINUTES, TimeUnit.MINUTES)) {
        return true;
      }
      LOG.warn(
          "{} closed while its {} still run after {} min; they may still write",
          name,
          what,
          STOP_WAIT_MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("{} closed without waiting for its {}: interrupted", name, what);
    }
    return false;
  }

  /**
   * At close: waits, with the same bound as {@link #awaitStopped}, for {@code work} the role tracks
   * itself (not by an executor) to end. A wait that times out or is interrupted is logged, never
   * silent; returns whether it ended.
   */
  public boolean awaitDone(Future<?> work, String what) {
    try {
      work.get(STOP_WAIT_MINUTES, TimeUnit.MINUTES);
      return true;
    } catch (ExecutionException e) {
      return true; // ended, if not well: its own failure is reported where it happened
    } catch (TimeoutException e) {
      LOG.warn("{} stopped waiting for its {} after {} min", name, what, STOP_WAIT_MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("{} closed without waiting for its {}: interrupted", name, what);
    }
    return false;
  }
}
