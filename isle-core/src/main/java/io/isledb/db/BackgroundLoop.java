package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a maintenance role's work at a fixed delay. Transient failures are logged and retried at the
 * next tick; a fence or a close stops the loop for good (a fenced role must not run again).
 */
@Internal
public final class BackgroundLoop {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundLoop.class);

  private BackgroundLoop() {}

  public static ScheduledFuture<?> start(
      ScheduledExecutorService executor, Duration interval, String what, Runnable work) {
    return start(executor, Duration.ZERO, interval, what, work);
  }

  /** {@link #start} whose first run comes {@code initialDelay} after the call. */
  public static ScheduledFuture<?> start(
      ScheduledExecutorService executor,
      Duration initialDelay,
      Duration interval,
      String what,
      Runnable work) {
    return executor.scheduleWithFixedDelay(
        guarded(what, work), initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * {@code work} with the loop's error handling, also for one-off runs of a role (a run after a
   * commit signal), whose future nobody reads: every failure is logged, never lost; a fence or a
   * close is rethrown (it cancels a schedule).
   */
  public static Runnable guarded(String what, Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (IsleException e) {
        if (e.kind() == IsleException.Kind.FENCED || e.kind() == IsleException.Kind.CLOSED) {
          LOG.warn("{} stops: {}", what, e.getMessage());
          throw e; // cancels the schedule
        }
        LOG.warn("{} failed, will retry: {}", what, e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{} failed, will retry", what, e);
      }
    };
  }
}
