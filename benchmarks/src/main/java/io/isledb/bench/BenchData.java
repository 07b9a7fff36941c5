package io.isledb.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Keys and values of the workloads, as published by SlateDB and db_bench: 20-byte keys and 400-byte
 * values. Key {@code i} is the 20-digit decimal form of {@code 2 * i}, so sequential indexes give
 * byte-ordered keys and the odd numbers in between ({@link #missingKey}) are absent keys inside
 * every table's key range (only the bloom filter can reject them). Values are slices of a fixed,
 * seeded pool that compresses to about half, like db_bench's default {@code compression_ratio=0.5}.
 */
public final class BenchData {
  /** Key length in bytes. */
  public static final int KEY_SIZE = 20;

  /** Value length in bytes. */
  public static final int VALUE_SIZE = 400;

  private static final int DISTINCT_VALUES = 4096;

  private final byte[][] values;

  /** Values drawn from a pool built with {@code seed}. */
  public BenchData(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    values = new byte[DISTINCT_VALUES][];
    for (int i = 0; i < DISTINCT_VALUES; i++) {
      byte[] v = new byte[VALUE_SIZE];
      // Each 100-byte piece: 50 random bytes, then those 50 again (compresses to ~50%).
      for (int p = 0; p < VALUE_SIZE; p += 100) {
        for (int j = 0; j < 50; j++) {
          v[p + j] = (byte) (' ' + r.nextInt(95));
        }
        System.arraycopy(v, p, v, p + 50, 50);
      }
      values[i] = v;
    }
  }

  /** Writes key {@code i} into {@code out} (20 bytes) and returns it. */
  public static byte[] key(long i, byte[] out) {
    writeDecimal(2 * i, out);
    return out;
  }

  /** A new array holding key {@code i}. */
  public static byte[] key(long i) {
    return key(i, new byte[KEY_SIZE]);
  }

  /** Writes an absent key next to key {@code i} into {@code out}. */
  public static byte[] missingKey(long i, byte[] out) {
    writeDecimal(2 * i + 1, out);
    return out;
  }

  private static void writeDecimal(long n, byte[] out) {
    for (int p = KEY_SIZE - 1; p >= 0; p--) {
      out[p] = (byte) ('0' + (n % 10));
      n /= 10;
    }
  }

  /** The value for write number {@code i} (shared arrays: engines copy what they keep). */
  public byte[] value(long i) {
    return values[(int) (mix(i) & (DISTINCT_VALUES - 1))];
  }

  /** Parses a key back to its index, or -1 if it is not a key of {@link #key}. */
  public static long indexOf(byte[] key) {
    if (key.length != KEY_SIZE) {
      return -1;
    }
    String s = new String(key, StandardCharsets.US_ASCII);
    long n = Long.parseLong(s);
    return n % 2 == 0 ? n / 2 : -1;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
