package io.isledb.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian fixed-width integers and LEB128 varints, as used by every IsleDB file format.
 *
 * <p>Encoders here trust their caller. Decoding of untrusted varints lives with the format that
 * reads them, so that a malformed value is reported as corruption of that specific object.
 */
@Internal
public final class Coding {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Longest encoding of a 32-bit varint. */
  public static final int MAX_VARINT32_LENGTH = 5;

  /** Longest encoding of a 64-bit varint. */
  public static final int MAX_VARINT64_LENGTH = 10;

  private Coding() {}

  /** Reads 4 bytes at {@code offset} as a little-endian int. */
  public static int getFixed32(byte[] buf, int offset) {
    return (int) INT_LE.get(buf, offset);
  }

  /** Reads 8 bytes at {@code offset} as a little-endian long. */
  public static long getFixed64(byte[] buf, int offset) {
    return (long) LONG_LE.get(buf, offset);
  }

  /** Writes {@code value} as 4 little-endian bytes at {@code offset}. */
  public static void putFixed32(byte[] buf, int offset, int value) {
    INT_LE.set(buf, offset, value);
  }

  /** Writes {@code value} as 8 little-endian bytes at {@code offset}. */
  public static void putFixed64(byte[] buf, int offset, long value) {
    LONG_LE.set(buf, offset, value);
  }

  /**
   * Writes {@code value} (all 64 bits, taken as unsigned) as a varint at {@code offset}; returns
   * the offset just past it. The caller guarantees room for {@link #varintLength(long)} bytes.
   */
  public static int putVarint64(byte[] buf, int offset, long value) {
    while ((value & ~0x7FL) != 0) {
      buf[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[offset++] = (byte) value;
    return offset;
  }

  /** Bytes needed to encode {@code value} (taken as unsigned) as a varint: 1 to 10. */
  public static int varintLength(long value) {
    int bits = 64 - Long.numberOfLeadingZeros(value | 1);
    return (bits + 6) / 7;
  }
}
