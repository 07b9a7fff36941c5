package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.TailPosition;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.IsleRecordDeserializer;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.SourceOutput;
import org.junit.jupiter.api.Test;

/** The split state moves exactly as far as what was emitted (what a checkpoint records). */
class IsleRecordEmitterTest {
  @Test
  void progressFollowsEmittedRecordsAndPositionsAlone() throws Exception {
    IsleSplit split = IsleSplit.unbounded(0, null, null, 5, new TailPosition(6, 0), "p-0");
    IsleSplitState state = new IsleSplitState(split);
    IsleRecordEmitter<IsleRecord> emitter = new IsleRecordEmitter<>(IsleRecordDeserializer.bytes());
    List<IsleRecord> out = new ArrayList<>();
    SourceOutput<IsleRecord> output = new ListOutput(out);

    emitter.emitRecord(
        new Fetched(
            new IsleRecord(IsleRecord.Kind.SNAPSHOT, new byte[] {7}, new byte[] {1}, 5, 0), null),
        output,
        state);
    assertThat(state.toSplit().resumeAfter()).containsExactly(7);
    assertThat(state.toSplit().scanning()).isTrue();

    emitter.emitRecord(Fetched.SCAN_DONE, output, state);
    assertThat(state.toSplit().scanning()).isFalse();
    assertThat(state.toSplit().tail()).isEqualTo(new TailPosition(6, 0));

    emitter.emitRecord(
        new Fetched(
            new IsleRecord(IsleRecord.Kind.DELETE, new byte[] {8}, null, 6, 0),
            new TailPosition(6, 1)),
        output,
        state);
    assertThat(state.toSplit().tail()).isEqualTo(new TailPosition(6, 1));

    // A commit with nothing for this split: no output, but the position (and pin) moves.
    emitter.emitRecord(new Fetched(null, new TailPosition(9, 0)), output, state);
    assertThat(state.toSplit().tail()).isEqualTo(new TailPosition(9, 0));
    assertThat(state.toSplit().historyPinVersion()).isEqualTo(8);
    assertThat(out)
        .extracting(IsleRecord::getKind)
        .containsExactly(IsleRecord.Kind.SNAPSHOT, IsleRecord.Kind.DELETE);
  }

  private record ListOutput(List<IsleRecord> out) implements SourceOutput<IsleRecord> {
    @Override
    public void collect(IsleRecord record) {
      out.add(record);
    }

    @Override
    public void collect(IsleRecord record, long timestamp) {
      out.add(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {}

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }
}
