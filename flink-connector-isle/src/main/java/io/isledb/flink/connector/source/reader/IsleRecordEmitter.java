package io.isledb.flink.connector.source.reader;

import io.isledb.flink.connector.source.IsleRecordDeserializer;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/** Deserializes a fetched record into the output and moves its split's progress past it. */
final class IsleRecordEmitter<T> implements RecordEmitter<Fetched, T, IsleSplitState> {
  private final IsleRecordDeserializer<T> deserializer;
  private final OutputCollector<T> collector = new OutputCollector<>();

  IsleRecordEmitter(IsleRecordDeserializer<T> deserializer) {
    this.deserializer = deserializer;
  }

  @Override
  public void emitRecord(Fetched f, SourceOutput<T> output, IsleSplitState state) throws Exception {
    if (f.record() == null) {
      if (f.next() == null) {
        state.scanDone();
      } else {
        state.emittedChange(f.next()); // edits with nothing for this split still move it
      }
      return;
    }
    collector.output = output;
    deserializer.deserialize(f.record(), collector);
    if (f.next() == null) {
      state.emittedRow(f.record().getKey());
    } else {
      state.emittedChange(f.next());
    }
  }

  private static final class OutputCollector<T> implements Collector<T> {
    SourceOutput<T> output;

    @Override
    public void collect(T record) {
      output.collect(record);
    }

    @Override
    public void close() {}
  }
}
