package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bloom filter: no false negatives, and false positives at the rate theory predicts. */
class BloomFilterTest {

  static BloomFilter build(int bitsPerKey, int n, long firstKey) {
    BloomFilter.Builder b = new BloomFilter.Builder(bitsPerKey);
    byte[] key = new byte[8];
    for (long i = 0; i < n; i++) {
      Coding.putFixed64(key, 0, firstKey + i);
      b.addHash(BloomFilter.hash(key));
    }
    byte[] block = b.finish();
    return BloomFilter.decode(block, block.length, "bloom-test", 0);
  }

  /** (1 - e^(-k n / m))^k. */
  static double theory(int k, long n, long m) {
    return Math.pow(1 - Math.exp(-(double) k * n / m), k);
  }

  /**
   * Inserts {@code n} keys and probes {@code probes} other keys. The tolerance is 2% of the
   * theoretical rate, widened only where 2% is within five standard deviations of the sampling
   * error (at 20 bits per key the rate is ~7e-5, so 2% would need billions of probes).
   */
  @ParameterizedTest(name = "{0} bits/key, n={1}, probes={2}")
  @CsvSource({"10, 1000000, 30000000", "5, 1000000, 3000000", "20, 1000000, 60000000"})
  void falsePositiveRateMatchesTheory(int bitsPerKey, int n, int probes) {
    long seed = 4242 + bitsPerKey;
    long firstKey = new Random(seed).nextLong() >>> 2;
    BloomFilter filter = build(bitsPerKey, n, firstKey);
    int k = BloomFilter.probesFor(bitsPerKey);
    assertThat(filter.numProbes()).isEqualTo(k);
    assertThat(filter.numBits()).isEqualTo((long) n * bitsPerKey);

    byte[] key = new byte[8];
    for (long i = 0; i < n; i += 97) {
      Coding.putFixed64(key, 0, firstKey + i);
      assertThat(filter.mayContain(key)).as("seed " + seed + ": inserted key " + i).isTrue();
    }
    long falsePositives = 0;
    for (long i = 0; i < probes; i++) {
      Coding.putFixed64(key, 0, firstKey + n + i); // never inserted
      if (filter.mayContain(key)) {
        falsePositives++;
      }
    }
    double measured = (double) falsePositives / probes;
    double expected = theory(k, n, filter.numBits());
    double sigma = Math.sqrt(expected * (1 - expected) / probes) / expected;
    double tolerance = Math.max(0.02, 5 * sigma);
    String msg =
        String.format(
            "seed %d, %d bits/key, k=%d, n=%d, m=%d, %d probes: measured %.6f, theory %.6f,"
                + " relative error %+.3f%%, sampling sigma %.3f%%, tolerance %.2f%%",
            seed,
            bitsPerKey,
            k,
            n,
            filter.numBits(),
            probes,
            measured,
            expected,
            100 * (measured / expected - 1),
            100 * sigma,
            100 * tolerance);
    System.out.println(msg);
    assertThat(Math.abs(measured / expected - 1)).as(msg).isLessThanOrEqualTo(tolerance);
    if (bitsPerKey <= 10) {
      assertThat(tolerance).as("2% is the bound, not the sampling error").isEqualTo(0.02);
    }
  }

  @Test
  void probesPerBitsPerKey() {
    assertThat(BloomFilter.probesFor(1)).isEqualTo(1);
    assertThat(BloomFilter.probesFor(5)).isEqualTo(3);
    assertThat(BloomFilter.probesFor(10)).isEqualTo(7);
    assertThat(BloomFilter.probesFor(20)).isEqualTo(14);
    assertThat(BloomFilter.probesFor(64)).isEqualTo(SstFormat.MAX_BLOOM_PROBES);
  }

  @Test
  void layoutIsBitsThenProbeCount() {
    BloomFilter.Builder b = new BloomFilter.Builder(10);
    b.addHash(0x0000_0003_0000_0005L); // h1 = 5, h2 = 3
    byte[] block = b.finish();
    // At least 64 bits; 8 bytes of bits and one byte k = 7.
    assertThat(block).hasSize(9);
    assertThat(block[8]).isEqualTo((byte) 7);
    // Probe i sets bit ((5 + 3i) * 64) >>> 32 = 0 for every small i.
    assertThat(block[0]).isEqualTo((byte) 1);
    for (int i = 1; i < 8; i++) {
      assertThat(block[i]).isZero();
    }
  }

  @Test
  void emptyAndDisabledFilters() {
    BloomFilter empty = build(10, 0, 0);
    assertThat(empty.mayContain(new byte[] {1})).isFalse();
    BloomFilter.Builder off = new BloomFilter.Builder(0);
    off.addHash(1);
    byte[] block = off.finish();
    assertThat(block).containsExactly(0);
    BloomFilter disabled = BloomFilter.decode(block, 1, "t", 0);
    assertThat(disabled.mayContain(new byte[] {1})).isTrue();
  }

  @Test
  void malformedFilterBlocks() {
    assertThatThrownBy(() -> BloomFilter.decode(new byte[0], 0, "t", 10))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("sst t: filter block at offset 10");
    assertThatThrownBy(() -> BloomFilter.decode(new byte[] {1, 2, 0}, 3, "t", 0))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("0 probes");
    assertThatThrownBy(() -> BloomFilter.decode(new byte[] {1, 2, 31}, 3, "t", 0))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("31 probes");
    assertThatThrownBy(() -> BloomFilter.decode(new byte[] {7}, 1, "t", 0))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("7 probes over 0 bits");
  }

  @Test
  void hashIsSeededXxHash64AndStable() {
    // The library is standard XXH64: the published value for empty input with seed 0.
    assertThat(
            net.jpountz.xxhash.XXHashFactory.fastestJavaInstance()
                .hash64()
                .hash(new byte[0], 0, 0, 0))
        .isEqualTo(0xEF46DB3751D8E999L);
    // Persisted behaviour: the filter of every existing file depends on these values.
    assertThat(BloomFilter.hash(new byte[0])).isEqualTo(0x021C63D604EDF0FDL);
    assertThat(BloomFilter.hash("isledb".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(0xB81573CDCA9C773CL);
  }
}
