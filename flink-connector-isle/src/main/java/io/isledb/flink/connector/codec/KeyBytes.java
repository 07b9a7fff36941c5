package io.isledb.flink.connector.codec;

import java.util.Arrays;
import javax.annotation.Nullable;

/** Byte-string helpers for key ranges. */
public final class KeyBytes {
  private KeyBytes() {}

  /**
   * The smallest byte string greater than every byte string that starts with {@code prefix}: the
   * prefix without its trailing 0xFF bytes, last byte incremented. Null when there is none (the
   * prefix is empty or all 0xFF): the range of the prefix is then unbounded above.
   */
  @Nullable
  public static byte[] prefixSuccessor(byte[] prefix) {
    int end = prefix.length;
    while (end > 0 && prefix[end - 1] == (byte) 0xFF) {
      end--;
    }
    if (end == 0) {
      return null;
    }
    byte[] out = Arrays.copyOf(prefix, end);
    out[end - 1]++;
    return out;
  }

  static String hex(@Nullable byte[] b) {
    if (b == null) {
      return "-";
    }
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }
}
