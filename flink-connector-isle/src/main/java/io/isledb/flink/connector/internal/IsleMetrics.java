package io.isledb.flink.connector.internal;

import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The isle gauges shared by the source reader, the sink writer and the lookup functions, under an
 * {@code isle} subgroup of their metric group (docs/flink-connector.md, "Metrics"). Values are read
 * when a reporter asks: reading them costs no storage request.
 */
public final class IsleMetrics {
  /** The subgroup every isle metric lives in. */
  public static final String GROUP = "isle";

  private IsleMetrics() {}

  /**
   * {@code isle.store.<kind>} (one per request kind, lower case: get, get_range, put, ...), {@code
   * isle.store.requests}, {@code isle.store.bytesRead}, {@code isle.store.bytesWritten}: the
   * cumulative counters of the table's object store. The store is shared by every user of the table
   * in this JVM, so these count all of them (sources, sinks, lookups of that table).
   *
   * @param stats the store's counters now, or null while there is no store yet
   */
  public static void registerStore(MetricGroup isle, Supplier<RequestStats> stats) {
    MetricGroup g = isle.addGroup("store");
    for (RequestStats.RequestKind kind : RequestStats.RequestKind.values()) {
      g.gauge(kind.name().toLowerCase(Locale.ROOT), of(stats, s -> s.count(kind)));
    }
    g.gauge("requests", of(stats, RequestStats::total));
    g.gauge("bytesRead", of(stats, RequestStats::bytesRead));
    g.gauge("bytesWritten", of(stats, RequestStats::bytesWritten));
  }

  /**
   * {@code isle.blockCache.hits}, {@code .misses}, {@code .hitRatio} (hits / lookups since the
   * reader opened, 0 before the first) and {@code .bytes} of a reader's block cache.
   *
   * @param stats the reader's statistics now, or null while there is no reader yet
   */
  public static void registerBlockCache(MetricGroup isle, Supplier<ReaderStats> stats) {
    MetricGroup g = isle.addGroup("blockCache");
    g.gauge("hits", ofReader(stats, ReaderStats::blockCacheHits));
    g.gauge("misses", ofReader(stats, ReaderStats::blockCacheMisses));
    g.gauge("bytes", ofReader(stats, ReaderStats::blockCacheBytes));
    g.gauge(
        "hitRatio",
        (Gauge<Double>)
            () -> {
              ReaderStats s = stats.get();
              long lookups = s == null ? 0 : s.blockCacheHits() + s.blockCacheMisses();
              return lookups == 0 ? 0.0 : (double) s.blockCacheHits() / lookups;
            });
  }

  private static Gauge<Long> of(
      Supplier<RequestStats> stats, java.util.function.ToLongFunction<RequestStats> f) {
    return () -> {
      RequestStats s = stats.get();
      return s == null ? 0L : f.applyAsLong(s);
    };
  }

  private static Gauge<Long> ofReader(
      Supplier<ReaderStats> stats, java.util.function.ToLongFunction<ReaderStats> f) {
    return () -> {
      ReaderStats s = stats.get();
      return s == null ? 0L : f.applyAsLong(s);
    };
  }
}
