package io.isledb.flink.state;

import io.isledb.RequestStats.RequestKind;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The isle gauges of one keyed backend, in the group {@code isle} of the backend's metric group:
 * the storage requests of its database by kind, its bytes read and written, the bytes its latest
 * checkpoint uploaded, and the task manager's shared memtable, block cache and disk cache bytes.
 * Every gauge reads counters the engine keeps anyway: nothing is computed on the hot path.
 */
final class IsleMetrics {
  static final String GROUP = "isle";

  private IsleMetrics() {}

  static void register(MetricGroup parent, StateDb db, LongSupplier lastCheckpointBytes) {
    MetricGroup g = parent.addGroup(GROUP);
    gauge(g, "lastCheckpointUploadedBytes", lastCheckpointBytes);
    gauge(g, "bytesWritten", () -> db.stats().bytesWritten());
    gauge(g, "bytesRead", () -> db.stats().bytesRead());
    gauge(g, "requests", () -> db.stats().total());
    gauge(g, "getRequests", () -> db.stats().gets());
    gauge(g, "putRequests", () -> db.stats().puts());
    gauge(g, "listRequests", () -> db.stats().count(RequestKind.LIST_PAGE));
    gauge(g, "deleteRequests", () -> db.stats().count(RequestKind.DELETE));
    gauge(g, "sharedMemtableBytes", () -> db.resources().memtableBytes());
    gauge(g, "sharedBlockCacheBytes", () -> db.resources().blockCacheBytes());
    gauge(g, "sharedDiskCacheBytes", () -> db.resources().diskCacheBytes());
  }

  private static void gauge(MetricGroup g, String name, LongSupplier value) {
    g.gauge(name, (Gauge<Long>) value::getAsLong);
  }
}
