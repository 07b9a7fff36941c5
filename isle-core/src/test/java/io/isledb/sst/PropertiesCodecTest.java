package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.util.GrowableBuffer;
import org.junit.jupiter.api.Test;

class PropertiesCodecTest {
  static final Footer FOOTER =
      new Footer(
          new BlockHandle(1000, 20), new BlockHandle(1025, 100), new BlockHandle(1130, 50), 1);

  static TableProperties sample() {
    return new TableProperties(
        1,
        "a".getBytes(),
        "zz".getBytes(),
        3,
        SstFormat.MAX_SEQUENCE,
        10,
        2,
        -5,
        99,
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        1_700_000_000_000L,
        1249,
        30,
        40,
        4,
        1,
        2,
        1000,
        50,
        20,
        Compression.ZSTD,
        4096,
        8,
        12,
        false);
  }

  @Test
  void roundTripsEveryField() {
    byte[] encoded = PropertiesCodec.encode(sample());
    TableProperties back = PropertiesCodec.decode(encoded, encoded.length, FOOTER, 1249, "t");
    assertThat(back).isEqualTo(sample());
    assertThat(back.toString()).contains("smallestKey=0x61", "compression=ZSTD");
  }

  @Test
  void unknownHigherTagsAreSkipped() {
    GrowableBuffer g = new GrowableBuffer(64);
    g.write(PropertiesCodec.encode(sample()));
    g.writeVarint(21);
    g.writeVarint(3);
    g.write(new byte[] {1, 2, 3});
    g.writeVarint(500);
    g.writeVarint(0);
    assertThat(PropertiesCodec.decode(g.array(), g.size(), FOOTER, 1249, "t")).isEqualTo(sample());
  }

  @Test
  void malformedProperties() {
    byte[] encoded = PropertiesCodec.encode(sample());
    // Drop the last property (tag 20, bloom bits per key: 3 bytes).
    assertThatThrownBy(() -> PropertiesCodec.decode(encoded, encoded.length - 3, FOOTER, 1249, "t"))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("required property 20 is missing");
    // Cut in the middle of a value.
    assertThatThrownBy(() -> PropertiesCodec.decode(encoded, encoded.length - 1, FOOTER, 1249, "t"))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("properties block at offset 1025");
    // Tags out of order.
    GrowableBuffer g = new GrowableBuffer(64);
    g.write(encoded);
    g.writeVarint(5);
    g.writeVarint(1);
    g.writeVarint(1);
    assertThatThrownBy(() -> PropertiesCodec.decode(g.array(), g.size(), FOOTER, 1249, "t"))
        .hasMessageContaining("property tag 5 after tag 20");
    // Inconsistent counts: more tombstones than entries.
    TableProperties s = sample();
    TableProperties bad =
        new TableProperties(
            1,
            s.smallestKey(),
            s.largestKey(),
            3,
            4,
            1,
            2,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            Compression.NONE,
            1,
            1,
            0,
            false);
    byte[] b = PropertiesCodec.encode(bad);
    assertThatThrownBy(() -> PropertiesCodec.decode(b, b.length, FOOTER, 1249, "t"))
        .hasMessageContaining("inconsistent");
  }
}
