package io.isledb.flink.connector.source.internal;

import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * @param keyRanges disjoint key ranges in key order inside {@code [fromKey, toKey)} (their hull);
 *     only keys in them are read (null: all of {@code [fromKey, toKey)})
 * @param limit a bounded scan's reader stops reading after this many rows (-1: no limit)
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
    int splitsPerSubtask,
    List<KeyRange> keyRanges,
    long limit)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  /** A scan of all of {@code [fromKey, toKey)} without a limit. */
  public ScanConfig(
      TableLocation location,
      boolean bounded,
      StartupMode startupMode,
      Long startupVersion,
      byte[] fromKey,
      byte[] toKey,
      Duration pollInterval,
      String consumerId,
      Duration pinTtl,
      int splitsPerSubtask) {
    this(
        location,
        bounded,
        startupMode,
        startupVersion,
        fromKey,
        toKey,
        pollInterval,
        consumerId,
        pinTtl,
        splitsPerSubtask,
        null,
        -1);
  }

  public ScanConfig {
    keyRanges = keyRanges == null ? null : List.copyOf(keyRanges);
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
        && splitsPerSubtask == c.splitsPerSubtask
        && Objects.equals(keyRanges, c.keyRanges)
        && limit == c.limit;
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
        + (keyRanges == null ? "" : ", " + keyRanges.size() + " key ranges")
        + (limit < 0 ? "" : ", limit " + limit)
        + "]";
  }
}
