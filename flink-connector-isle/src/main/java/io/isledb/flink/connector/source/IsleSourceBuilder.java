package io.isledb.flink.connector.source;

import io.isledb.IsleException;
import io.isledb.flink.connector.IsleConnectorOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.internal.ScanConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an {@link IsleSource}. Required: the table ({@link #path} or {@link #location}) and a
 * {@link #deserializer}. Defaults follow {@link IsleConnectorOptions}: unbounded, {@code full}
 * startup, poll every second, pins live 24 hours after their last write.
 *
 * @param <T> the type of the records the source emits
 */
public final class IsleSourceBuilder<T> {
  /** Bounded scans cut this many splits per subtask, so faster readers take more of them. */
  public static final int DEFAULT_SPLITS_PER_SUBTASK = 4;

  private String path;
  private final Map<String, String> hadoopConf = new HashMap<>();
  private TableLocation location;
  private boolean bounded = IsleConnectorOptions.SCAN_BOUNDED.defaultValue();
  private StartupMode startupMode = IsleConnectorOptions.SCAN_STARTUP_MODE.defaultValue();
  private Long startupVersion;
  private byte[] fromKey;
  private byte[] toKey;
  private List<KeyRange> keyRanges;
  private long limit = -1;
  private Duration pollInterval = IsleConnectorOptions.SCAN_POLL_INTERVAL.defaultValue();
  private String consumerId;
  private Duration pinTtl = IsleConnectorOptions.SCAN_PIN_TTL.defaultValue();
  private int splitsPerSubtask = DEFAULT_SPLITS_PER_SUBTASK;
  private IsleRecordDeserializer<T> deserializer;

  IsleSourceBuilder() {}

  /** The table's location, as the SQL option {@code path} (s3a://, file:///, abfs://, gs://). */
  public IsleSourceBuilder<T> path(String path) {
    this.path = path;
    return this;
  }

  /** Hadoop settings for the store (keys without the {@code hadoop.} prefix), added to earlier. */
  public IsleSourceBuilder<T> hadoopConf(Map<String, String> conf) {
    hadoopConf.putAll(conf);
    return this;
  }

  /** The table, already resolved (replaces {@link #path} and {@link #hadoopConf}). */
  public IsleSourceBuilder<T> location(TableLocation location) {
    this.location = location;
    return this;
  }

  /** Reads the newest version and finishes. */
  public IsleSourceBuilder<T> bounded() {
    this.bounded = true;
    return this;
  }

  /** Reads {@code version} and finishes; it must still be retained. */
  public IsleSourceBuilder<T> bounded(long version) {
    this.bounded = true;
    this.startupVersion = version;
    return this;
  }

  /** Reads unbounded from {@code mode} ({@code full}, {@code latest}, {@code version}). */
  public IsleSourceBuilder<T> startupMode(StartupMode mode) {
    this.bounded = false;
    this.startupMode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /** Reads unbounded: every change committed after {@code version}. */
  public IsleSourceBuilder<T> startAfterVersion(long version) {
    startupMode(StartupMode.VERSION);
    this.startupVersion = version;
    return this;
  }

  /** Reads only keys in {@code [from, to)}; a null bound is open. */
  public IsleSourceBuilder<T> keyRange(byte[] from, byte[] to) {
    this.fromKey = from == null ? null : from.clone();
    this.toKey = to == null ? null : to.clone();
    this.keyRanges = null;
    return this;
  }

  /**
   * Reads only keys in {@code ranges} (in any order; overlapping ones are merged). Splits are
   * planned per range and keys between the ranges are never read (nor their changes emitted); an
   * empty list reads nothing.
   */
  public IsleSourceBuilder<T> keyRanges(List<KeyRange> ranges) {
    List<KeyRange> sorted = new ArrayList<>();
    for (KeyRange r : ranges) {
      if (!r.isEmpty()) {
        sorted.add(r);
      }
    }
    sorted.sort((x, y) -> compareLower(x.fromInclusive(), y.fromInclusive()));
    List<KeyRange> rs = new ArrayList<>();
    for (KeyRange r : sorted) {
      KeyRange last = rs.isEmpty() ? null : rs.get(rs.size() - 1);
      byte[] lastTo = last == null ? new byte[0] : last.toExclusive();
      if (last != null
          && (lastTo == null
              || r.fromInclusive() == null
              || java.util.Arrays.compareUnsigned(r.fromInclusive(), lastTo) <= 0)) {
        byte[] to = r.toExclusive();
        boolean extends_ =
            lastTo != null && (to == null || java.util.Arrays.compareUnsigned(to, lastTo) > 0);
        rs.set(rs.size() - 1, new KeyRange(last.fromInclusive(), extends_ ? to : lastTo));
      } else {
        rs.add(r);
      }
    }
    if (rs.isEmpty()) {
      keyRange(new byte[] {0}, new byte[] {0}); // nothing to read
      return this;
    }
    keyRange(rs.get(0).fromInclusive(), rs.get(rs.size() - 1).toExclusive());
    this.keyRanges = rs.size() == 1 ? null : List.copyOf(rs);
    return this;
  }

  private static int compareLower(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return java.util.Arrays.compareUnsigned(a, b);
  }

  /**
   * A bounded scan's readers each stop reading after {@code limit} rows (SQL's pushed-down {@code
   * LIMIT}); the rest of their splits is not read. Unbounded scans ignore it.
   */
  public IsleSourceBuilder<T> limit(long limit) {
    this.limit = limit;
    return this;
  }

  /** How often an idle unbounded source looks for new versions (one GET each). */
  public IsleSourceBuilder<T> pollInterval(Duration interval) {
    this.pollInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /**
   * Name of the source's pins (history pins {@code <id>-<split>}; the version pin {@code <id>}).
   */
  public IsleSourceBuilder<T> consumerId(String id) {
    this.consumerId = id;
    return this;
  }

  /** Expiry of the source's pins after their last write. */
  public IsleSourceBuilder<T> pinTtl(Duration ttl) {
    this.pinTtl = Objects.requireNonNull(ttl, "ttl");
    return this;
  }

  /** Splits per subtask of a bounded scan (default {@value #DEFAULT_SPLITS_PER_SUBTASK}). */
  public IsleSourceBuilder<T> splitsPerSubtask(int n) {
    this.splitsPerSubtask = n;
    return this;
  }

  /** Turns what the source reads into records. */
  public IsleSourceBuilder<T> deserializer(IsleRecordDeserializer<T> deserializer) {
    this.deserializer = deserializer;
    return this;
  }

  /**
   * The source.
   *
   * @throws IsleException INVALID_ARGUMENT naming what is missing or malformed
   */
  public IsleSource<T> build() {
    if (deserializer == null) {
      throw IsleException.invalidArgument("IsleSource needs a deserializer");
    }
    TableLocation loc = location;
    if (loc == null) {
      Map<String, String> options = new HashMap<>();
      hadoopConf.forEach((k, v) -> options.put(IsleConnectorOptions.HADOOP_PREFIX + k, v));
      loc = TableLocation.of(path, options);
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw IsleException.invalidArgument(
          "scan.poll-interval must be positive, got " + pollInterval);
    }
    if (pinTtl.isNegative() || pinTtl.isZero()) {
      throw IsleException.invalidArgument("scan.pin.ttl must be positive, got " + pinTtl);
    }
    if (splitsPerSubtask < 1) {
      throw IsleException.invalidArgument(
          "splits per subtask must be at least 1, got " + splitsPerSubtask);
    }
    if (!bounded && startupMode == StartupMode.VERSION && startupVersion == null) {
      throw IsleException.invalidArgument("scan.startup.mode 'version' needs scan.startup.version");
    }
    if (startupVersion != null && startupVersion < 0) {
      throw IsleException.invalidArgument(
          "scan.startup.version must not be negative, got " + startupVersion);
    }
    if (fromKey != null && toKey != null && java.util.Arrays.compareUnsigned(fromKey, toKey) > 0) {
      throw IsleException.invalidArgument("IsleSource key range is empty: from is after to");
    }
    Long version = bounded || startupMode == StartupMode.VERSION ? startupVersion : null;
    ScanConfig config =
        new ScanConfig(
            loc,
            bounded,
            startupMode,
            version,
            fromKey,
            toKey,
            pollInterval,
            consumerId,
            pinTtl,
            splitsPerSubtask,
            keyRanges,
            bounded ? limit : -1);
    return new IsleSource<>(config, deserializer);
  }
}
