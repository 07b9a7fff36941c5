package io.isledb.flink.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.TailPosition;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorState;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorStateSerializer;
import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.flink.connector.source.split.IsleSplitSerializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** The split and enumerator-state serializers round-trip every field and refuse bad input. */
class IsleSourceSerializersTest {
  private static final byte[] A = {1, 2};
  private static final byte[] B = {(byte) 0xff, 0, 7};

  static List<IsleSplit> splits() {
    return List.of(
        IsleSplit.bounded(0, 7, null, null),
        IsleSplit.bounded(3, 7, A, B).withProgress(new byte[] {1, 2, 3}, false, null),
        IsleSplit.unbounded(1, null, B, 9, new TailPosition(10, 0), "c-1"),
        IsleSplit.unbounded(2, A, null, -1, new TailPosition(44, 17), "consumer-2")
            .withProgress(new byte[0], true, new TailPosition(50, 3)),
        IsleSplit.finishedMark(5));
  }

  @Test
  void splitsRoundTrip() throws IOException {
    IsleSplitSerializer ser = IsleSplitSerializer.INSTANCE;
    for (IsleSplit s : splits()) {
      IsleSplit back = ser.deserialize(ser.getVersion(), ser.serialize(s));
      assertThat(back).isEqualTo(s);
      assertThat(back.splitId()).isEqualTo(s.splitId());
      assertThat(back.from()).isEqualTo(s.from());
      assertThat(back.to()).isEqualTo(s.to());
      assertThat(back.resumeAfter()).isEqualTo(s.resumeAfter());
      assertThat(back.tail()).isEqualTo(s.tail());
      assertThat(back.pinName()).isEqualTo(s.pinName());
    }
    // Progress is part of equality, so the round trip above compared it.
    assertThat(splits().get(3)).isNotEqualTo(splits().get(3).withProgress(null, true, null));
  }

  @Test
  void splitSerializerRefusesUnknownVersionsAndTrailingBytes() throws IOException {
    IsleSplitSerializer ser = IsleSplitSerializer.INSTANCE;
    byte[] bytes = ser.serialize(splits().get(2));
    assertThatThrownBy(() -> ser.deserialize(99, bytes)).hasMessageContaining("version 99");
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> ser.deserialize(1, longer)).hasMessageContaining("trailing");
  }

  @Test
  void enumeratorStateRoundTrips() throws IOException {
    IsleEnumeratorStateSerializer ser = IsleEnumeratorStateSerializer.INSTANCE;
    List<IsleEnumeratorState> states =
        List.of(
            IsleEnumeratorState.initial(),
            new IsleEnumeratorState(true, 12, "flink-job-op", splits(), Set.of(0, 3, 9)),
            new IsleEnumeratorState(true, 0, "x", List.of(), Set.of()));
    for (IsleEnumeratorState s : states) {
      assertThat(ser.deserialize(ser.getVersion(), ser.serialize(s))).isEqualTo(s);
    }
    assertThatThrownBy(() -> ser.deserialize(99, ser.serialize(states.get(1))))
        .hasMessageContaining("version 99");
  }

  @Test
  void isleRecordIsAPojoForFlink() {
    assertThat(TypeInformation.of(IsleRecord.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(IsleRecordDeserializer.bytes().getProducedType()).isInstanceOf(PojoTypeInfo.class);
  }
}
