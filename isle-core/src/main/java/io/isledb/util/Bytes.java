package io.isledb.util;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;

/** Byte-array helpers: IsleDB orders keys by unsigned bytewise comparison, like LevelDB. */
@Internal
public final class Bytes {
  /** The key order of the whole engine. */
  public static final Comparator<byte[]> COMPARATOR = Arrays::compareUnsigned;

  private static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  /** Unsigned bytewise comparison. */
  public static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** Lower-case hex of {@code b}. */
  public static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** A short printable form of a key for error messages: hex, cut after 32 bytes. */
  public static String describe(byte[] key) {
    if (key == null) {
      return "null";
    }
    if (key.length <= 32) {
      return "0x" + HEX.formatHex(key) + " (" + key.length + " bytes)";
    }
    return "0x" + HEX.formatHex(key, 0, 32) + "... (" + key.length + " bytes)";
  }
}
