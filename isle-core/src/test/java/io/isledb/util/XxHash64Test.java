package io.isledb.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

/** Our XXH64 must equal the reference bit for bit: bloom filters on storage depend on it. */
class XxHash64Test {
  private static final XXHash64 REFERENCE = XXHashFactory.safeInstance().hash64();

  @Test
  void equalsTheReferenceForEveryLengthOffsetAndSeed() {
    long seed = 20261124;
    Random r = new Random(seed);
    byte[] buf = new byte[600];
    for (int round = 0; round < 20_000; round++) {
      r.nextBytes(buf);
      int len = round < 300 ? round % 300 : r.nextInt(300);
      int off = r.nextInt(buf.length - len + 1);
      long s = round % 3 == 0 ? 0 : r.nextLong();
      assertThat(XxHash64.hash(buf, off, len, s))
          .as("seed %d round %d: len %d off %d hash seed %d", seed, round, len, off, s)
          .isEqualTo(REFERENCE.hash(buf, off, len, s));
    }
  }

  @Test
  void knownValues() {
    // Published XXH64 test vectors: the empty input and "abc" with seed 0.
    assertThat(XxHash64.hash(new byte[0], 0, 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("abc".getBytes(), 0, 3, 0)).isEqualTo(0x44BC2CF5AD770999L);
  }

  @Test
  void rejectsARangeOutsideTheArray() {
    assertThatThrownBy(() -> XxHash64.hash(new byte[4], 2, 3, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
