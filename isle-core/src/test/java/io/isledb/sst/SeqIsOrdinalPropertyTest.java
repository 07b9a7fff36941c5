package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.util.GrowableBuffer;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The optional {@code seqIsOrdinal} property (tag 32) that {@code SstWriter} tables carry. */
class SeqIsOrdinalPropertyTest {

  /**
   * Properties of a built table of {@code n} keys, marked or not; its i-th entry has sequence
   * number i if numbered, else 1 (as SstWriter tables before the mark).
   */
  static TableProperties built(int n, boolean marked, boolean numbered) {
    TableBuilder b = new TableBuilder(new ByteArrayOutputStream(), TableOptions.defaults());
    if (marked) {
      b.markSeqIsOrdinal();
    }
    for (int i = 1; i <= n; i++) {
      b.add(String.format("k%03d", i).getBytes(), numbered ? i : 1, ValueKind.PUT, 0, new byte[1]);
    }
    return b.finish();
  }

  /** {@code p} encoded, then a seq-is-ordinal record holding {@code value}. */
  static byte[] withMark(TableProperties p, long value) {
    GrowableBuffer g = new GrowableBuffer(64);
    g.write(PropertiesCodec.encode(p));
    g.writeVarint(SstFormat.PROP_SEQ_IS_ORDINAL);
    g.writeVarint(1);
    g.writeVarint(value);
    return g.toByteArray();
  }

  static TableProperties decode(byte[] encoded) {
    return PropertiesCodec.decode(encoded, encoded.length, PropertiesCodecTest.FOOTER, 1249, "t");
  }

  @Test
  void markRoundTripsAndUnmarkedTablesEncodeAsBefore() {
    TableProperties p = built(5, true, true);
    byte[] unmarked = PropertiesCodec.encode(built(5, false, true));
    byte[] marked = PropertiesCodec.encode(p);
    // Unmarked: no tag 21 at all, so every table but an SstWriter's keeps its exact bytes.
    assertThat(marked).startsWith(unmarked);
    assertThat(Arrays.copyOfRange(marked, unmarked.length, marked.length))
        .containsExactly(32, 1, 1);
    assertThat(p.seqIsOrdinal()).isTrue();
    assertThat(decode(marked).seqIsOrdinal()).isTrue();
    assertThat(decode(unmarked).seqIsOrdinal()).isFalse();
    assertThat(decode(marked)).isNotEqualTo(decode(unmarked));
    assertThat(withMark(built(5, false, true), 1)).isEqualTo(marked);
  }

  @Test
  void aMarkThatContradictsTheSequenceBoundsIsCorruption() {
    byte[] wrongBounds = withMark(built(5, false, false), 1); // an old SstWriter table: every seq 1
    assertThatThrownBy(() -> decode(wrongBounds))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("inconsistent");
    byte[] wrongValue = withMark(built(5, false, true), 2); // only 1 is defined
    assertThatThrownBy(() -> decode(wrongValue))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("seq-is-ordinal");
  }

  @Test
  void builderNumbersAreCheckedAndReadBack() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TableBuilder b = new TableBuilder(out, TableOptions.defaults().withBlockSize(64));
    b.markSeqIsOrdinal();
    for (int i = 1; i <= 100; i++) {
      b.add(String.format("k%03d", i).getBytes(), i, ValueKind.PUT, 0, new byte[] {(byte) i});
    }
    TableProperties p = b.finish();
    assertThat(p.seqIsOrdinal()).isTrue();
    byte[] file = out.toByteArray();
    TableReader r =
        TableReader.open(
            "t",
            file.length,
            (off, len) -> Arrays.copyOfRange(file, (int) off, (int) (off + len)),
            BlockCache.none(),
            0);
    assertThat(r.properties()).isEqualTo(p);
    TableIterator it = r.iterator();
    it.seek("k050".getBytes());
    assertThat(it.seq()).isEqualTo(50); // the place in the table, without reading blocks before

    TableBuilder wrong = new TableBuilder(new ByteArrayOutputStream(), TableOptions.defaults());
    wrong.markSeqIsOrdinal();
    assertThatThrownBy(() -> wrong.add("k".getBytes(), 7, ValueKind.PUT, 0, new byte[0]))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("seq-is-ordinal");
  }
}
