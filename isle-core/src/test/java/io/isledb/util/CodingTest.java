package io.isledb.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodingTest {
  @Test
  void fixedWidthIsLittleEndian() {
    byte[] b = new byte[12];
    Coding.putFixed32(b, 0, 0x04030201);
    Coding.putFixed64(b, 4, 0x0C0B0A0908070605L);
    assertThat(b).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    assertThat(Coding.getFixed32(b, 0)).isEqualTo(0x04030201);
    assertThat(Coding.getFixed64(b, 4)).isEqualTo(0x0C0B0A0908070605L);
  }

  @Test
  void varintsAreLeb128() {
    GrowableBuffer g = new GrowableBuffer(1);
    g.writeVarint(0);
    g.writeVarint(127);
    g.writeVarint(128);
    g.writeVarint(300);
    assertThat(g.toByteArray()).containsExactly(0, 127, 0x80, 1, 0xAC, 2);
    g.reset();
    g.writeVarint(-1L);
    assertThat(g.size()).isEqualTo(10);
    assertThat(g.array()[9]).isEqualTo((byte) 1);
  }

  @Test
  void varintLengths() {
    assertThat(Coding.varintLength(0)).isEqualTo(1);
    assertThat(Coding.varintLength(127)).isEqualTo(1);
    assertThat(Coding.varintLength(128)).isEqualTo(2);
    assertThat(Coding.varintLength((1L << 56) - 1)).isEqualTo(8);
    assertThat(Coding.varintLength(Long.MAX_VALUE)).isEqualTo(9);
    assertThat(Coding.varintLength(-1L)).isEqualTo(10);
    for (int shift = 0; shift < 64; shift++) {
      long v = 1L << shift;
      byte[] b = new byte[10];
      assertThat(Coding.putVarint64(b, 0, v)).as("2^" + shift).isEqualTo(Coding.varintLength(v));
    }
  }

  @Test
  void growableBufferGrowsShrinksAndAdvances() {
    GrowableBuffer g = new GrowableBuffer(16);
    byte[] big = new byte[1000];
    big[999] = 9;
    g.write(big);
    assertThat(g.size()).isEqualTo(1000);
    assertThat(g.array()[999]).isEqualTo((byte) 9);
    g.resetAndShrink(64);
    assertThat(g.capacity()).isEqualTo(64);
    assertThat(g.size()).isZero();
    g.ensureWritable(4);
    g.array()[0] = 5;
    g.advance(1);
    assertThat(g.toByteArray()).containsExactly(5);
  }
}
