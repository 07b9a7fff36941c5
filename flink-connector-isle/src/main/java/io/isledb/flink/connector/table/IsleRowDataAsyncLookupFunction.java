package io.isledb.flink.connector.table;

import io.isledb.flink.connector.internal.TableLocation;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * The asynchronous lookup function of an isle table ({@code 'lookup.async' = 'true'}): the same
 * lookups as {@link IsleRowDataLookupFunction}, run on the task manager's bounded pool of {@code
 * lookup.async.threads} threads per table (shared by every subtask), so a slow cold read does not
 * block the join operator's thread.
 */
public final class IsleRowDataAsyncLookupFunction extends AsyncLookupFunction {
  private static final long serialVersionUID = 1L;

  private final TableLocation location;
  private final Duration refreshInterval;
  private final int threads;
  private final LookupCodec codec;
  private final int maxRetries;

  private transient SharedLookupReaders.Lease lease;
  private transient ExecutorService executor;
  private transient ThreadLocal<LookupCodec.Instance> instances;

  IsleRowDataAsyncLookupFunction(
      TableLocation location,
      Duration refreshInterval,
      int threads,
      LookupCodec codec,
      int maxRetries) {
    this.location = location;
    this.refreshInterval = refreshInterval;
    this.threads = threads;
    this.codec = codec;
    this.maxRetries = maxRetries;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    lease = SharedLookupReaders.acquire(location, refreshInterval);
    LookupMetrics.register(context.getMetricGroup(), lease);
    executor = lease.executor(threads);
    // Codec instances reuse buffers: one per pool thread.
    instances = ThreadLocal.withInitial(codec::open);
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
    SharedLookupReaders.Lease l = lease;
    return CompletableFuture.supplyAsync(
        () -> IsleRowDataLookupFunction.lookup(l.reader(), instances.get(), keyRow, maxRetries),
        executor);
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
