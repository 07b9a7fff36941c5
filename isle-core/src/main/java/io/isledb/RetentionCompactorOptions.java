package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Retention (FIFO) settings. Retention drops whole tables by the age of their data (the newest
 * write time recorded in each table), never by file creation time, which compaction resets.
 *
 * @param mode by age, or by time window
 * @param retentionPeriod data older than this may be dropped
 * @param segmentDuration the size of a time window (time-window mode only)
 * @param retentionCount by age: keep at least this many newest tables; by time window: keep at
 *     least {@code max(1, retentionCount / 10)} newest segments
 * @param interval how often {@code start()} checks (default 1 minute)
 */
public record RetentionCompactorOptions(
    Mode mode,
    Duration retentionPeriod,
    Duration segmentDuration,
    int retentionCount,
    Duration interval) {

  /** How retention decides what is old. */
  public enum Mode {
    /** Drop the oldest tables older than the period, keeping at least the count newest tables. */
    BY_AGE,
    /** Drop whole time segments that end before the period, keeping at least count/10 segments. */
    BY_TIME_WINDOW
  }

  public RetentionCompactorOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(retentionPeriod, "retentionPeriod");
    Objects.requireNonNull(interval, "interval");
    if (retentionPeriod.isNegative() || retentionPeriod.isZero()) {
      throw IsleException.invalidArgument(
          "retentionPeriod must be positive, got " + retentionPeriod);
    }
    if (mode == Mode.BY_TIME_WINDOW
        && (segmentDuration == null || segmentDuration.isNegative() || segmentDuration.isZero())) {
      throw IsleException.invalidArgument(
          "segmentDuration must be positive in time-window mode, got " + segmentDuration);
    }
    if (retentionCount < 0) {
      throw IsleException.invalidArgument(
          "retentionCount must not be negative, got " + retentionCount);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw IsleException.invalidArgument("interval must be positive, got " + interval);
    }
  }

  /**
   * FIFO by age: drop tables whose data is older than {@code period}, keep the newest {@code
   * count}.
   */
  public static RetentionCompactorOptions byAge(Duration period, int count) {
    return new RetentionCompactorOptions(Mode.BY_AGE, period, null, count, Duration.ofMinutes(1));
  }

  /** By time window: drop whole {@code segment}-sized windows that ended before {@code period}. */
  public static RetentionCompactorOptions byTimeWindow(
      Duration period, Duration segment, int count) {
    return new RetentionCompactorOptions(
        Mode.BY_TIME_WINDOW, period, segment, count, Duration.ofMinutes(1));
  }

  public RetentionCompactorOptions withInterval(Duration v) {
    return new RetentionCompactorOptions(mode, retentionPeriod, segmentDuration, retentionCount, v);
  }
}
