package io.isledb.flink.connector.source.reader;

import io.isledb.IsleDB;
import io.isledb.Reader;
import io.isledb.flink.connector.internal.IsleMetrics;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * What the fetcher thread knows, for the source reader's isle gauges: the table's store, the
 * scanning reader, and the tail's position against the newest version it knows of. Written by the
 * fetcher thread, read by reporters.
 */
final class SourceGauges {
  private volatile IsleDB db;
  private volatile Reader reader;

  /** The version after the newest committed one, as the tail last learned it; -1 if not tailing. */
  private volatile long latestVersion = -1;

  /** The smallest version the tailing splits will read next; -1 if not tailing. */
  private volatile long positionVersion = -1;

  /** The commit time of the last change emitted by a tail (its writer's clock), 0 if none. */
  private volatile long lastCommitTimeMillis;

  void register(MetricGroup readerGroup) {
    MetricGroup isle = readerGroup.addGroup(IsleMetrics.GROUP);
    IsleMetrics.registerStore(
        isle,
        () -> {
          IsleDB d = db;
          return d == null ? null : d.store().stats();
        });
    IsleMetrics.registerBlockCache(
        isle,
        () -> {
          Reader r = reader;
          return r == null ? null : r.stats();
        });
    isle.gauge("tailLagVersions", (Gauge<Long>) this::lagVersions);
    isle.gauge("tailPositionVersion", (Gauge<Long>) () -> positionVersion);
    isle.gauge("tailLagMillis", (Gauge<Long>) () -> lagMillis(System.currentTimeMillis()));
  }

  /**
   * How long ago the last change emitted was committed, while the tail is behind (0 once caught
   * up): a metric on this machine's clock against the committing writer's, so clock skew between
   * the two shows up in it.
   */
  long lagMillis(long nowMillis) {
    long committed = lastCommitTimeMillis;
    if (lagVersions() == 0 || committed <= 0) {
      return 0;
    }
    return Math.max(0, nowMillis - committed);
  }

  void lastCommitTime(long commitTimeMillis) {
    if (commitTimeMillis > 0) {
      this.lastCommitTimeMillis = commitTimeMillis;
    }
  }

  long lagVersions() {
    long latest = latestVersion;
    long position = positionVersion;
    return latest < 0 || position < 0 ? 0 : Math.max(0, latest - position);
  }

  void db(IsleDB db) {
    this.db = db;
  }

  void reader(Reader reader) {
    this.reader = reader;
  }

  void tail(long latestVersion, long positionVersion) {
    this.latestVersion = Math.max(this.latestVersion, latestVersion);
    this.positionVersion = positionVersion;
  }
}
