package io.isledb.flink.connector.table;

import io.isledb.flink.connector.IsleConnectorOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.connector.source.lookup.cache.DefaultLookupCache;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * The validated options of one isle table, as the source, sink and lookup functions need them.
 * Serializable (shipped to the task managers inside the runtime providers); its {@link #toString()}
 * shows no secret (the location redacts its Hadoop settings).
 */
record TableConfig(
    TableLocation location,
    boolean scanBounded,
    StartupMode startupMode,
    @Nullable Long startupVersion,
    @Nullable String consumerId,
    Duration pollInterval,
    Duration pinTtl,
    boolean lookupAsync,
    Duration lookupRefreshInterval,
    int lookupAsyncThreads,
    LookupOptions.LookupCacheType lookupCacheType,
    @Nullable Duration sinkTtl,
    long sinkBufferBytes,
    @Nullable String sinkCommitUser,
    @Nullable Integer sinkParallelism,
    Duration sinkLeaseTtl)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Reads the table options (already validated for unknown keys by the factory helper). */
  static TableConfig from(ReadableConfig options, Map<String, String> rawOptions) {
    TableLocation location = TableLocation.of(options.get(IsleConnectorOptions.PATH), rawOptions);
    Duration refresh = options.get(IsleConnectorOptions.LOOKUP_REFRESH_INTERVAL);
    requirePositive(IsleConnectorOptions.LOOKUP_REFRESH_INTERVAL.key(), refresh);
    requirePositive(
        IsleConnectorOptions.SCAN_POLL_INTERVAL.key(),
        options.get(IsleConnectorOptions.SCAN_POLL_INTERVAL));
    requirePositive(
        IsleConnectorOptions.SCAN_PIN_TTL.key(), options.get(IsleConnectorOptions.SCAN_PIN_TTL));
    int threads = options.get(IsleConnectorOptions.LOOKUP_ASYNC_THREADS);
    if (threads < 1) {
      throw new ValidationException(
          "option '"
              + IsleConnectorOptions.LOOKUP_ASYNC_THREADS.key()
              + "' must be at least 1, got "
              + threads);
    }
    Duration ttl = options.getOptional(IsleConnectorOptions.SINK_TTL).orElse(null);
    if (ttl != null) {
      requirePositive(IsleConnectorOptions.SINK_TTL.key(), ttl);
    }
    StartupMode mode = options.get(IsleConnectorOptions.SCAN_STARTUP_MODE);
    Long version = options.getOptional(IsleConnectorOptions.SCAN_STARTUP_VERSION).orElse(null);
    if (mode == StartupMode.VERSION && version == null) {
      throw new ValidationException(
          "option 'scan.startup.mode' = 'version' needs 'scan.startup.version'");
    }
    if (version != null && version < 0) {
      throw new ValidationException("option 'scan.startup.version' must not be negative");
    }
    LookupOptions.LookupCacheType cache = options.get(LookupOptions.CACHE_TYPE);
    if (cache == LookupOptions.LookupCacheType.FULL) {
      throw new ValidationException(
          "option 'lookup.cache' = 'FULL' is not supported by the isle connector (it would copy"
              + " the whole table into every task manager): use 'PARTIAL' or 'NONE'");
    }
    Integer parallelism = options.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null);
    Duration leaseTtl = options.get(IsleConnectorOptions.SINK_LEASE_TTL);
    requirePositive(IsleConnectorOptions.SINK_LEASE_TTL.key(), leaseTtl);
    return new TableConfig(
        location,
        options.get(IsleConnectorOptions.SCAN_BOUNDED),
        mode,
        version,
        options.getOptional(IsleConnectorOptions.SCAN_CONSUMER_ID).orElse(null),
        options.get(IsleConnectorOptions.SCAN_POLL_INTERVAL),
        options.get(IsleConnectorOptions.SCAN_PIN_TTL),
        options.get(IsleConnectorOptions.LOOKUP_ASYNC),
        refresh,
        threads,
        cache,
        ttl,
        options.get(IsleConnectorOptions.SINK_BUFFER_SIZE).getBytes(),
        options.getOptional(IsleConnectorOptions.SINK_COMMIT_USER).orElse(null),
        parallelism,
        leaseTtl);
  }

  /** Flink's partial lookup cache built from the table's {@code lookup.*} options, or null. */
  static @Nullable LookupCache lookupCache(ReadableConfig options) {
    if (options.get(LookupOptions.CACHE_TYPE) != LookupOptions.LookupCacheType.PARTIAL) {
      return null;
    }
    return DefaultLookupCache.fromConfig(options);
  }

  /** What {@code asSummaryString} and plans show: the location, never a secret. */
  String summary() {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("path", location.uri());
    return "isle" + shown;
  }

  private static void requirePositive(String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new ValidationException("option '" + key + "' must be positive, got " + d);
    }
  }
}
