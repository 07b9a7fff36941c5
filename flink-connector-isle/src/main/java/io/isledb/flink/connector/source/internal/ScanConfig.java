package io.isledb.flink.connector.source.internal;

import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an {@code IsleSource} reads and how, as its builder fixed it; shipped to the enumerator and
 * every reader.
 *
 * @param location the table
 * @param bounded read one version and finish
 * @param startupMode where an unbounded scan starts
 * @param startupVersion the version a bounded scan reads, or after which a 'version' scan starts
 *     (null: the newest at start)
 * @param fromKey first key read (null: unbounded)
 * @param toKey first key not read (null: unbounded)
 * @param pollInterval wait of an idle tail between polls
 * @param consumerId the pin name (null: derived from the job and operator at first start)
 * @param pinTtl expiry of the pins the source writes
 * @param splitsPerSubtask bounded scans cut {@code parallelism * splitsPerSubtask} splits
 */
public record ScanConfig(
    TableLocation location,
    boolean bounded,
    StartupMode startupMode,
    Long startupVersion,
    byte[] fromKey,
    byte[] toKey,
    Duration pollInterval,
    String consumerId,
    Duration pinTtl,
    int splitsPerSubtask)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public ScanConfig {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(startupMode, "startupMode");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(pinTtl, "pinTtl");
    fromKey = fromKey == null ? null : fromKey.clone();
    toKey = toKey == null ? null : toKey.clone();
  }

  @Override
  public byte[] fromKey() {
    return fromKey == null ? null : fromKey.clone();
  }

  @Override
  public byte[] toKey() {
    return toKey == null ? null : toKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanConfig c
        && location.equals(c.location)
        && bounded == c.bounded
        && startupMode == c.startupMode
        && Objects.equals(startupVersion, c.startupVersion)
        && Arrays.equals(fromKey, c.fromKey)
        && Arrays.equals(toKey, c.toKey)
        && pollInterval.equals(c.pollInterval)
        && Objects.equals(consumerId, c.consumerId)
        && pinTtl.equals(c.pinTtl)
        && splitsPerSubtask == c.splitsPerSubtask;
  }

  @Override
  public int hashCode() {
    return Objects.hash(location, bounded, startupMode, startupVersion, consumerId);
  }

  @Override
  public String toString() {
    return "ScanConfig["
        + location
        + (bounded ? ", bounded" : ", unbounded " + startupMode)
        + (startupVersion == null ? "" : " version " + startupVersion)
        + ", poll "
        + pollInterval
        + (consumerId == null ? "" : ", consumer " + consumerId)
        + "]";
  }
}
