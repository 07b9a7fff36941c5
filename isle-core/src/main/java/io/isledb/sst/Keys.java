package io.isledb.sst;

import io.isledb.util.Coding;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Internal keys: a user key followed by the 8-byte trailer {@code fixed64(seq << 8 | kind)}.
 * Ordered by user key ascending (unsigned bytewise; a prefix sorts first), then by trailer
 * descending, so the newest version of a key comes first.
 */
final class Keys {
  private Keys() {}

  /** The trailer of an entry. */
  static long trailer(long seq, ValueKind kind) {
    return (seq << 8) | (kind.id() & 0xFF);
  }

  /**
   * The trailer that positions a seek at the first version of a key with sequence number at most
   * {@code seq}.
   */
  static long seekTrailer(long seq) {
    return (seq << 8) | 0xFF;
  }

  /**
   * Compares the internal key in {@code buf[off, off + len)} (len >= 8) with the internal key
   * {@code (userKey, trailer)}: negative if the stored key sorts first.
   */
  static int compare(byte[] buf, int off, int len, byte[] userKey, long trailer) {
    int userLen = len - SstFormat.KEY_TRAILER_LENGTH;
    int c = Arrays.compareUnsigned(buf, off, off + userLen, userKey, 0, userKey.length);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailer, Coding.getFixed64(buf, off + userLen));
  }

  /** Compares two internal keys stored in arrays. */
  static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
    int c =
        Arrays.compareUnsigned(
            a,
            aOff,
            aOff + aLen - SstFormat.KEY_TRAILER_LENGTH,
            b,
            bOff,
            bOff + bLen - SstFormat.KEY_TRAILER_LENGTH);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(
        Coding.getFixed64(b, bOff + bLen - SstFormat.KEY_TRAILER_LENGTH),
        Coding.getFixed64(a, aOff + aLen - SstFormat.KEY_TRAILER_LENGTH));
  }

  /** A user key for messages: hex, shortened when long. */
  static String describe(byte[] key) {
    return describe(key, 0, key.length);
  }

  /** A user key in {@code buf[off, off + len)} for messages: hex, shortened when long. */
  static String describe(byte[] buf, int off, int len) {
    int shown = Math.min(len, 32);
    String hex = "0x" + HexFormat.of().formatHex(buf, off, off + shown);
    return len > shown ? hex + "...(" + len + " bytes)" : hex;
  }
}
