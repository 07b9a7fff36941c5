package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Garbage collector settings. The grace period and log retention come from {@link DBOptions}, so
 * that every process on a prefix agrees on them.
 *
 * @param interval how often {@code start()} runs a pass (default 1 minute)
 */
public record GcOptions(Duration interval) {
  public GcOptions {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw IsleException.invalidArgument("interval must be positive, got " + interval);
    }
  }

  /** A pass every minute. */
  public static GcOptions defaults() {
    return new GcOptions(Duration.ofMinutes(1));
  }

  public GcOptions withInterval(Duration d) {
    return new GcOptions(d);
  }
}
