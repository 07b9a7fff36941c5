package io.isledb.flink.connector.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.TailPosition;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorState;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorStateSerializer;
import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.flink.connector.source.split.IsleSplitSerializer;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Splits with disjoint key ranges: serializer version 2 round-trips them, and splits and enumerator
 * states written by version 1 (before ranges existed, e.g. in a checkpoint of an older build) are
 * still read, as splits of their whole bounds.
 */
class IsleSplitRangesTest {
  /** An unbounded split {@code [01, ff)} with progress, as serializer version 1 wrote it. */
  private static final String V1_SPLIT =
      "00000002" // index
          + "06" // flags: snapshot done, has tail
          + "0000000101" // from
          + "00000001ff" // to
          + "000000020102" // resume after
          + "0000000000000009" // snapshot version
          + "000000000000000a" // tail version
          + "0000000000000003" // tail offset
          + "0003632d32"; // pin name "c-2"

  @Test
  void version1SplitsAndStatesStillRead() throws IOException {
    IsleSplit expected =
        IsleSplit.unbounded(
                2, new byte[] {1}, new byte[] {(byte) 0xff}, 9, new TailPosition(7, 0), "c-2")
            .withProgress(new byte[] {1, 2}, true, new TailPosition(10, 3));
    byte[] v1 = HexFormat.of().parseHex(V1_SPLIT);
    IsleSplit read = IsleSplitSerializer.INSTANCE.deserialize(1, v1);
    assertThat(read).isEqualTo(expected);
    assertThat(read.ranges()).isNull();
    assertThat(read.reads(new byte[] {5})).isTrue();

    // An enumerator state of version 1: planned, version 9, pin "p", one pending v1 split, none
    // unfinished.
    byte[] state =
        HexFormat.of()
            .parseHex(
                "01" + "0000000000000009" + "01" + "000170" + "00000001" + V1_SPLIT + "00000000");
    assertThat(IsleEnumeratorStateSerializer.INSTANCE.deserialize(1, state))
        .isEqualTo(new IsleEnumeratorState(true, 9, "p", List.of(expected), Set.of()));
  }

  @Test
  void rangesRoundTripAndBoundWhatASplitReads() throws IOException {
    List<KeyRange> ranges =
        List.of(
            new KeyRange(new byte[] {1}, new byte[] {2}),
            new KeyRange(new byte[] {5}, new byte[] {5, 0}),
            new KeyRange(new byte[] {9}, null));
    IsleSplit s = IsleSplit.bounded(4, 12, new byte[] {1}, null).withRanges(ranges);
    IsleSplitSerializer ser = IsleSplitSerializer.INSTANCE;
    IsleSplit back = ser.deserialize(ser.getVersion(), ser.serialize(s));
    assertThat(back).isEqualTo(s);
    assertThat(back.ranges()).isEqualTo(ranges);
    assertThat(back.reads(new byte[] {1, 7})).isTrue();
    assertThat(back.reads(new byte[] {3})).isFalse();
    assertThat(back.reads(new byte[] {5})).isTrue();
    assertThat(back.reads(new byte[] {5, 0})).isFalse();
    assertThat(back.reads(new byte[] {(byte) 0xff})).isTrue();
    IsleEnumeratorStateSerializer st = IsleEnumeratorStateSerializer.INSTANCE;
    IsleEnumeratorState state = new IsleEnumeratorState(true, 12, "p", List.of(s), Set.of(4));
    assertThat(st.deserialize(st.getVersion(), st.serialize(state))).isEqualTo(state);
  }
}
