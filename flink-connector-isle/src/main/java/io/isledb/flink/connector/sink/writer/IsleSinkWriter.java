package io.isledb.flink.connector.sink.writer;

import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.flink.connector.internal.IsleMetrics;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.sink.IsleRecordSerializer;
import io.isledb.flink.connector.sink.SinkSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * One subtask of an {@link io.isledb.flink.connector.sink.IsleSink}: writes each checkpoint's rows
 * into an {@link SstWriter} of the table (memory bounded by {@code sink.buffer-size}: beyond it the
 * rows are spilled as sorted tables), and at each checkpoint barrier finishes it, handing the
 * uploaded tables to the committer. Nothing becomes visible until the committer commits them.
 */
@Internal
public final class IsleSinkWriter<T>
    implements CommittingSinkWriter<T, IsleWriteResult>, StatefulSinkWriter<T, Long> {
  private final SinkSettings settings;
  private final IsleRecordSerializer<T> serializer;
  private final SharedTables.Lease table;
  private final AppendKeys appendKeys;
  private final RowOutput output = new RowOutput();
  private final Counter records;
  private final Counter bytes;
  private final Counter tables;
  private final Counter uploadedBytes;
  private SstWriter current;
  private boolean closed;

  /**
   * Opens the writer of subtask {@code context.getTaskInfo()} (shares the table's database).
   *
   * @param restored the writer states restored (each the id of the checkpoint that took it)
   */
  public IsleSinkWriter(
      SinkSettings settings,
      IsleRecordSerializer<T> serializer,
      WriterInitContext context,
      Collection<Long> restored) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.appendKeys =
        new AppendKeys(
            context.getJobInfo().getJobId().toString(),
            context.getTaskInfo().getIndexOfThisSubtask(),
            epoch(context, restored));
    SinkWriterMetricGroup metrics = context.metricGroup();
    this.records = metrics.getNumRecordsSendCounter();
    this.bytes = metrics.getNumBytesSendCounter();
    this.tables = metrics.addGroup("isle").counter("tablesWritten");
    this.uploadedBytes = metrics.addGroup("isle").counter("bytesWritten");
    this.table = SharedTables.acquire(settings.location());
    SharedTables.Lease t = table;
    IsleMetrics.registerStore(metrics.addGroup(IsleMetrics.GROUP), () -> t.db().store().stats());
  }

  /**
   * The checkpoint this writer was restored from (0 on a fresh start): its appended keys' epoch.
   * The writer keeps a state only for this: Flink tells a task that it was restored only if the
   * task has state.
   */
  private static long epoch(WriterInitContext context, Collection<Long> restored) {
    long epoch = context.getRestoredCheckpointId().orElse(0L);
    for (long id : restored) {
      epoch = Math.max(epoch, id);
    }
    return epoch;
  }

  @Override
  public List<Long> snapshotState(long checkpointId) {
    return List.of(checkpointId);
  }

  @Override
  public void write(T element, Context context) {
    serializer.serialize(element, output);
  }

  @Override
  public void flush(boolean endOfInput) {
    // Nothing to do: rows become durable when prepareCommit finishes the checkpoint's tables.
  }

  @Override
  public Collection<IsleWriteResult> prepareCommit() {
    if (current == null) {
      return List.of();
    }
    SstWriter w = current;
    current = null;
    try {
      List<SstHandle> handles = w.finish();
      tables.inc(handles.size());
      handles.forEach(h -> uploadedBytes.inc(h.sizeBytes()));
      return handles.isEmpty() ? List.of() : List.of(new IsleWriteResult(handles));
    } finally {
      w.close();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (current != null) {
        current.close(); // abandoned: GC collects its uploads once their lease runs out
        current = null;
      }
    } finally {
      table.close();
    }
  }

  private SstWriter sstWriter() {
    if (closed) {
      throw IsleException.closed("sink writer of " + settings.location().uri());
    }
    if (current == null) {
      current = table.db().newSstWriter(settings.sstWriterOptions());
    }
    return current;
  }

  /** The serializer's view of this writer; counts Flink's standard sink metrics. */
  private final class RowOutput implements IsleRecordSerializer.Output {
    @Override
    public void put(byte[] key, byte[] value) {
      if (settings.ttl() != null) {
        put(key, value, settings.ttl());
        return;
      }
      sstWriter().put(key, value);
      count(key.length + value.length);
    }

    @Override
    public void put(byte[] key, byte[] value, Duration ttl) {
      sstWriter().put(key, value, ttl);
      count(key.length + value.length);
    }

    @Override
    public void delete(byte[] key) {
      sstWriter().delete(key);
      count(key.length);
    }

    @Override
    public void append(byte[] value) {
      put(appendKeys.next(), value);
    }

    @Override
    public void append(byte[] value, Duration ttl) {
      put(appendKeys.next(), value, ttl);
    }

    private void count(long n) {
      records.inc();
      bytes.inc(n);
    }
  }
}
