package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.Reader;
import io.isledb.flink.connector.internal.TableLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lookup function of an isle table (lookup joins, {@code FOR SYSTEM_TIME AS OF}). A lookup on
 * the full primary key is one point get; a lookup on a leading part of the key is a prefix scan;
 * further lookup columns outside that prefix filter the scanned rows. Reads go through the task
 * manager's shared lookup reader of the table (one per table, not one per subtask), which moves to
 * the newest version every {@code lookup.refresh-interval}. Flink's {@code lookup.cache} (PARTIAL)
 * wraps this function when configured.
 *
 * <p>Cost: a cold point lookup is at most two ranged GETs (the table's metadata, once per table,
 * and the key's block); a key the bloom filters reject costs no request.
 */
public final class IsleRowDataLookupFunction extends LookupFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(IsleRowDataLookupFunction.class);

  private final TableLocation location;
  private final Duration refreshInterval;
  private final LookupCodec codec;
  private final int maxRetries;

  private transient SharedLookupReaders.Lease lease;
  private transient LookupCodec.Instance instance;

  IsleRowDataLookupFunction(
      TableLocation location, Duration refreshInterval, LookupCodec codec, int maxRetries) {
    this.location = location;
    this.refreshInterval = refreshInterval;
    this.codec = codec;
    this.maxRetries = maxRetries;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    lease = SharedLookupReaders.acquire(location, refreshInterval);
    LookupMetrics.register(context.getMetricGroup(), lease);
    instance = codec.open();
  }

  @Override
  public Collection<RowData> lookup(RowData keyRow) {
    return lookup(lease.reader(), instance, keyRow, maxRetries);
  }

  /**
   * One lookup on {@code reader}, tried again up to {@code maxRetries} times ({@code
   * lookup.max-retries}) after a retryable storage failure; shared with the asynchronous function.
   */
  static Collection<RowData> lookup(
      Reader reader, LookupCodec.Instance codec, RowData keyRow, int maxRetries) {
    for (int attempt = 0; ; attempt++) {
      try {
        return lookupOnce(reader, codec, keyRow);
      } catch (IsleException e) {
        if (!e.isRetryable() || attempt >= maxRetries) {
          throw e;
        }
        LOG.warn(
            "lookup failed (attempt {} of {}), retrying: {}",
            attempt + 1,
            maxRetries + 1,
            e.toString());
      }
    }
  }

  private static Collection<RowData> lookupOnce(
      Reader reader, LookupCodec.Instance codec, RowData keyRow) {
    if (codec.anyNull(keyRow)) {
      return List.of();
    }
    if (codec.pointLookups()) {
      byte[] key = codec.fullKey(keyRow);
      Optional<byte[]> value = reader.get(key);
      if (value.isEmpty()) {
        return List.of();
      }
      RowData row = codec.decode(key, value.get(), keyRow);
      return row == null ? List.of() : List.of(row);
    }
    List<RowData> rows = new ArrayList<>();
    try (KvIterator it = reader.scan(codec.prefixFrom(keyRow), codec.prefixTo(keyRow))) {
      while (it.hasNext()) {
        KV kv = it.next();
        RowData row = codec.decode(kv.key(), kv.value(), keyRow);
        if (row != null) {
          rows.add(row);
        }
      }
    }
    return rows;
  }

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
    super.close();
  }
}
