package io.isledb.flink.state;

import io.isledb.CacheStats;
import io.isledb.RequestStats.RequestKind;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The isle gauges of one keyed backend, in the group {@code isle} of the backend's metric group:
 * the storage requests of its database by kind, its bytes read and written, the bytes its latest
 * checkpoint uploaded, the task manager's shared memtable, block cache and disk cache bytes, and
 * block and disk cache hits, misses and hit ratios of this backend's reads and of the shared caches
 * as a whole. Every gauge reads counters the engine keeps anyway (cache lookups add one {@code
 * LongAdder} increment): nothing is computed on the hot path.
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
    cacheGauges(g, "", db::cacheStats);
    cacheGauges(g, "shared", () -> db.resources().cacheStats());
  }

  /** Hits, misses and hit ratios of {@code stats}, named {@code <prefix>blockCacheHits} etc. */
  private static void cacheGauges(MetricGroup g, String prefix, Supplier<CacheStats> stats) {
    gauge(g, name(prefix, "blockCacheHits"), () -> stats.get().blockCacheHits());
    gauge(g, name(prefix, "blockCacheMisses"), () -> stats.get().blockCacheMisses());
    gauge(g, name(prefix, "diskCacheHits"), () -> stats.get().diskCacheHits());
    gauge(g, name(prefix, "diskCacheMisses"), () -> stats.get().diskCacheMisses());
    ratio(g, name(prefix, "blockCacheHitRatio"), () -> stats.get().blockCacheHitRatio());
    ratio(g, name(prefix, "diskCacheHitRatio"), () -> stats.get().diskCacheHitRatio());
  }

  private static String name(String prefix, String metric) {
    return prefix.isEmpty()
        ? metric
        : prefix + Character.toUpperCase(metric.charAt(0)) + metric.substring(1);
  }

  private static void ratio(MetricGroup g, String name, DoubleSupplier value) {
    g.gauge(name, (Gauge<Double>) value::getAsDouble);
  }

  private static void gauge(MetricGroup g, String name, LongSupplier value) {
    g.gauge(name, (Gauge<Long>) value::getAsLong);
  }
}
