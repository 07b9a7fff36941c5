package io.isledb.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that reads another clock plus a fixed offset: one machine's clock, skewed against the
 * true time a test keeps in a {@link MutableClock}. Moving the base clock moves every skewed clock
 * by the same amount (clocks of different machines run at the same rate but disagree on the time).
 */
public final class SkewedClock extends Clock {
  private final Clock base;
  private final long offsetMillis;

  public SkewedClock(Clock base, Duration offset) {
    this.base = base;
    this.offsetMillis = offset.toMillis();
  }

  @Override
  public long millis() {
    return base.millis() + offsetMillis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "SkewedClock(" + Duration.ofMillis(offsetMillis) + ")";
  }
}
