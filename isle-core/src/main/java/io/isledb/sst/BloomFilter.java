package io.isledb.sst;

import io.isledb.util.XxHash64;
import java.util.Arrays;

/**
 * The whole-key bloom filter of a table (reader side) and its {@link Builder} (writer side).
 *
 * <p>Filter block contents: {@code m / 8} bytes of bits, then one byte {@code k}, the number of
 * probes. Key {@code x} sets (or probes) bits {@code g_i = fastrange32(h1 + i * h2, m)} for {@code
 * i = 0..k-1}, where {@code h = xxHash64(x, seed)}, {@code h1} and {@code h2} are its low and high
 * 32 bits, additions wrap at 32 bits and {@code fastrange32(v, m) = (v * m) >>> 32} with {@code v}
 * unsigned. Bit {@code g} is bit {@code g % 8} of byte {@code g / 8}. {@code k = 0} means no
 * filter: every key may be present.
 */
final class BloomFilter {

  /** A filter that cannot exclude any key. */
  static final BloomFilter ALWAYS_MAY_CONTAIN = new BloomFilter(new byte[1], 0, 0, 0);

  private final byte[] bits; // the filter's bytes start at bits[base]
  private final int base;
  private final long numBits;
  private final int numProbes;

  private BloomFilter(byte[] bits, int base, long numBits, int numProbes) {
    this.bits = bits;
    this.base = base;
    this.numBits = numBits;
    this.numProbes = numProbes;
  }

  /** The filter's 64-bit hash of a user key. */
  static long hash(byte[] key) {
    return XxHash64.hash(key, 0, key.length, SstFormat.BLOOM_HASH_SEED);
  }

  /** The filter's 64-bit hash of the user key {@code buf[off, off + len)}. */
  static long hash(byte[] buf, int off, int len) {
    return XxHash64.hash(buf, off, len, SstFormat.BLOOM_HASH_SEED);
  }

  /**
   * Reads filter block contents {@code data[0, length)}; {@code data} is kept, not copied.
   *
   * @throws io.isledb.CorruptionException if the probe count or bit array is invalid
   */
  static BloomFilter decode(byte[] data, int length, String table, long fileOffset) {
    return decode(data, 0, length, table, fileOffset);
  }

  /**
   * Reads filter block contents {@code data[offset, offset + length)}; {@code data} is kept, not
   * copied (a table's metadata bytes, most of which are the filter), and must not change.
   *
   * @throws io.isledb.CorruptionException if the probe count or bit array is invalid
   */
  static BloomFilter decode(byte[] data, int offset, int length, String table, long fileOffset) {
    if (length < 1) {
      throw Corruption.at(table, "filter block", fileOffset, "is empty, missing its probe count");
    }
    int k = data[offset + length - 1] & 0xFF;
    long m = 8L * (length - 1);
    if (k == 0) {
      if (m != 0) {
        throw Corruption.at(table, "filter block", fileOffset, "has " + m + " bits but 0 probes");
      }
      return ALWAYS_MAY_CONTAIN;
    }
    if (k > SstFormat.MAX_BLOOM_PROBES || m == 0) {
      throw Corruption.at(
          table, "filter block", fileOffset, "invalid: " + k + " probes over " + m + " bits");
    }
    return new BloomFilter(data, offset, m, k);
  }

  /** False only if no key with this hash was added. */
  boolean mayContainHash(long h) {
    if (numProbes == 0) {
      return true;
    }
    int h1 = (int) h;
    int h2 = (int) (h >>> 32);
    for (int i = 0; i < numProbes; i++) {
      long bit = (Integer.toUnsignedLong(h1) * numBits) >>> 32;
      if ((bits[base + (int) (bit >>> 3)] & (1 << (bit & 7))) == 0) {
        return false;
      }
      h1 += h2;
    }
    return true;
  }

  boolean mayContain(byte[] key) {
    return numProbes == 0 || mayContainHash(hash(key));
  }

  int numProbes() {
    return numProbes;
  }

  long numBits() {
    return numBits;
  }

  /** Heap bytes this filter keeps reachable (all of a shared array). */
  long memorySize() {
    return bits.length + 32;
  }

  /** Probes for {@code bitsPerKey}: round(bitsPerKey * ln 2), within [1, MAX_BLOOM_PROBES]. */
  static int probesFor(int bitsPerKey) {
    return (int)
        Math.max(1, Math.min(SstFormat.MAX_BLOOM_PROBES, Math.round(bitsPerKey * 0.69314718056)));
  }

  /**
   * Collects the hashes of the distinct user keys of a table (8 bytes each) and builds the filter
   * block at the end.
   */
  static final class Builder {
    private final int bitsPerKey;
    private long[] hashes = new long[1024];
    private int count;

    Builder(int bitsPerKey) {
      this.bitsPerKey = bitsPerKey;
    }

    void addHash(long h) {
      if (bitsPerKey == 0) {
        return;
      }
      if (count == hashes.length) {
        hashes = Arrays.copyOf(hashes, hashes.length * 2);
      }
      hashes[count++] = h;
    }

    int count() {
      return count;
    }

    long retainedBytes() {
      return 8L * hashes.length;
    }

    /** Size the filter block will have. */
    int estimatedSize() {
      return bitsPerKey == 0 ? 1 : numBytes() + 1;
    }

    private int numBytes() {
      long bits = Math.max(64, (long) count * bitsPerKey);
      long bytes = (bits + 7) / 8;
      return (int) Math.min(bytes, SstFormat.MAX_BLOCK_LENGTH - 1);
    }

    /** The filter block contents. */
    byte[] finish() {
      if (bitsPerKey == 0) {
        return new byte[] {0};
      }
      int numBytes = numBytes();
      byte[] out = new byte[numBytes + 1];
      long m = 8L * numBytes;
      int k = probesFor(bitsPerKey);
      for (int j = 0; j < count; j++) {
        long h = hashes[j];
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (int i = 0; i < k; i++) {
          long bit = (Integer.toUnsignedLong(h1) * m) >>> 32;
          out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
          h1 += h2;
        }
      }
      out[numBytes] = (byte) k;
      hashes = null;
      return out;
    }
  }
}
