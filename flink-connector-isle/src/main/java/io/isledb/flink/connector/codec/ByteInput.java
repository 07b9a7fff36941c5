package io.isledb.flink.connector.codec;

import io.isledb.CorruptionException;

/** A bounds-checked reader over a byte array: malformed input is corruption, never an overrun. */
final class ByteInput {
  private final byte[] buf;
  private int pos;
  private final int limit;
  private final String what;

  ByteInput(byte[] buf, String what) {
    this(buf, 0, buf.length, what);
  }

  ByteInput(byte[] buf, int offset, int limit, String what) {
    this.buf = buf;
    this.pos = offset;
    this.limit = limit;
    this.what = what;
  }

  int position() {
    return pos;
  }

  boolean hasRemaining() {
    return pos < limit;
  }

  byte[] array() {
    return buf;
  }

  CorruptionException corrupt(String message) {
    return new CorruptionException(what + ": " + message + " at offset " + pos);
  }

  CorruptionException corrupt(String message, Throwable cause) {
    return new CorruptionException(what + ": " + message + " at offset " + pos, cause);
  }

  private void need(int n) {
    if (n < 0 || limit - pos < n) {
      throw corrupt("truncated (need " + n + " bytes, " + (limit - pos) + " left)");
    }
  }

  int readUnsignedByte() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  int peekUnsignedByte() {
    need(1);
    return buf[pos] & 0xFF;
  }

  byte[] readBytes(int n) {
    need(n);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  void skip(long n) {
    if (n > Integer.MAX_VALUE) {
      throw corrupt("length " + n + " out of range");
    }
    need((int) n);
    pos += (int) n;
  }

  long readBigEndian(int bytes) {
    need(bytes);
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  long readVarint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw corrupt("varint longer than 10 bytes");
  }

  int readVarint32() {
    long v = readVarint();
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw corrupt("value " + v + " out of int range");
    }
    return (int) v;
  }

  long readZigZag() {
    long v = readVarint();
    return (v >>> 1) ^ -(v & 1);
  }

  byte[] readLengthPrefixed() {
    return readBytes(readVarint32());
  }

  void skipLengthPrefixed() {
    skip(readVarint32());
  }
}
