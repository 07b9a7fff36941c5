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

  static TableProperties props(long minSeq, long maxSeq, long entries, boolean marked) {
    return new TableProperties(
        1,
        "a".getBytes(),
        "z".getBytes(),
        minSeq,
        maxSeq,
        entries,
        0,
        0,
        0,
        0,
        0,
        0,
        1249,
        30,
        40,
        0,
        0,
        1,
        1000,
        50,
        20,
        Compression.NONE,
        4096,
        16,
        10,
        marked);
  }

  static TableProperties decode(byte[] encoded) {
    return PropertiesCodec.decode(encoded, encoded.length, PropertiesCodecTest.FOOTER, 1249, "t");
  }

  @Test
  void markRoundTripsAndUnmarkedTablesEncodeAsBefore() {
    byte[] unmarked = PropertiesCodec.encode(props(1, 5, 5, false));
    byte[] marked = PropertiesCodec.encode(props(1, 5, 5, true));
    // Unmarked: no tag 21 at all, so every table but an SstWriter's keeps its exact bytes.
    assertThat(marked).startsWith(unmarked);
    assertThat(Arrays.copyOfRange(marked, unmarked.length, marked.length))
        .containsExactly(32, 1, 1);
    assertThat(decode(marked)).isEqualTo(props(1, 5, 5, true));
    assertThat(decode(marked).seqIsOrdinal()).isTrue();
    assertThat(decode(unmarked).seqIsOrdinal()).isFalse();
    assertThat(decode(marked)).isNotEqualTo(decode(unmarked));
  }

  @Test
  void aMarkThatContradictsTheSequenceBoundsIsCorruption() {
    byte[] wrongBounds = PropertiesCodec.encode(props(1, 1, 5, true)); // an old SstWriter table
    assertThatThrownBy(() -> decode(wrongBounds)).isInstanceOf(CorruptionException.class);
    GrowableBuffer g = new GrowableBuffer(64);
    g.write(PropertiesCodec.encode(props(1, 5, 5, false)));
    g.writeVarint(32);
    g.writeVarint(1);
    g.writeVarint(2); // only 1 is defined
    byte[] wrongValue = g.toByteArray();
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
