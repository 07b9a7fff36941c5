package io.isledb.flink.connector.sink.writer;

import io.isledb.SstHandle;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * What one writer subtask produced in one checkpoint: the uploaded, not yet committed tables, in
 * the order their entries shadow each other (later handles win). Flink carries it, tagged with the
 * checkpoint id and subtask, to the sink's aggregator.
 *
 * @param handles the tables (at least one)
 */
@Internal
public record IsleWriteResult(List<SstHandle> handles) {
  public IsleWriteResult {
    handles = List.copyOf(handles);
  }
}
