package io.isledb.flink.connector.codec;

import java.util.Arrays;

/** A growable byte buffer with the primitive writes the key and value encodings share. */
final class ByteOutput {
  private byte[] buf;
  private int size;

  ByteOutput(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  void reset() {
    size = 0;
  }

  private void ensure(int extra) {
    if (size + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
    }
  }

  void writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  void writeBytes(byte[] b) {
    writeBytes(b, 0, b.length);
  }

  void writeBytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /** Big-endian, the lowest {@code bytes} bytes of {@code v}. */
  void writeBigEndian(long v, int bytes) {
    ensure(bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      buf[size++] = (byte) (v >>> (8 * i));
    }
  }

  /** Unsigned LEB128 (FORMAT.md "Conventions"). */
  void writeVarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** Zig-zag then varint: small negative numbers stay short. */
  void writeZigZag(long v) {
    writeVarint((v << 1) ^ (v >> 63));
  }

  /** A varint length followed by the bytes. */
  void writeLengthPrefixed(byte[] b) {
    writeVarint(b.length);
    writeBytes(b);
  }

  /** Reserves room for a length written later by {@link #endLength}; returns its position. */
  int beginLength() {
    ensure(5);
    int at = size;
    size += 5;
    return at;
  }

  /**
   * Writes the number of bytes written since {@link #beginLength} returned {@code at} as a varint
   * in front of them, moving them down over the unused reserved bytes: a nested value is encoded in
   * place, without a scratch buffer, and its length prefix is as short as a plain varint.
   */
  void endLength(int at) {
    int bodyStart = at + 5;
    int len = size - bodyStart;
    int lenBytes = 1;
    for (int v = len >>> 7; v != 0; v >>>= 7) {
      lenBytes++;
    }
    int pos = at;
    int v = len;
    while ((v & ~0x7F) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
    if (lenBytes < 5) {
      System.arraycopy(buf, bodyStart, buf, at + lenBytes, len);
      size = at + lenBytes + len;
    }
  }
}
