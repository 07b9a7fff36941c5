package io.isledb.bench.flink;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.types.Row;

/**
 * The streaming read's sink: records, for every row it receives, the row's commit batch (column 1),
 * the wall-clock time it arrived and the commit time the row carries (column 2, isle's {@code
 * commit_time} metadata; -1 where the format has none). The MiniCluster runs in this JVM, so the
 * records land in a static queue the workload reads.
 */
public final class EmitRecorder implements Sink<Row> {
  private static final long serialVersionUID = 1L;

  /** One received row: {batch, emitMillis, commitMillis or -1}. */
  static final ConcurrentLinkedQueue<long[]> EMITTED = new ConcurrentLinkedQueue<>();

  /** Takes and clears what was recorded. */
  static List<long[]> drain() {
    List<long[]> out = new ArrayList<>();
    for (long[] r = EMITTED.poll(); r != null; r = EMITTED.poll()) {
      out.add(r);
    }
    return out;
  }

  @Override
  public SinkWriter<Row> createWriter(WriterInitContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(Row row, Context ctx) {
        long now = System.currentTimeMillis();
        Object ct = row.getArity() > 2 ? row.getField(2) : null;
        long commit = ct instanceof Instant i ? i.toEpochMilli() : -1;
        EMITTED.add(new long[] {((Number) row.getField(1)).longValue(), now, commit});
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
