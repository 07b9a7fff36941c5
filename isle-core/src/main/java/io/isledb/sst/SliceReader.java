package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;

/**
 * Reads fixed-width integers, varints and byte strings from untrusted bytes {@code [pos, limit)} of
 * an array; anything malformed or out of bounds is a {@link CorruptionException} naming the table,
 * the structure being read and its file offset.
 */
final class SliceReader {
  private final byte[] buf;
  private final int start;
  private final int limit;
  private final String table;
  private final String what;
  private final long fileOffset;
  private int pos;

  /**
   * @param fileOffset the file offset of {@code buf[start]}, for messages
   */
  SliceReader(byte[] buf, int start, int limit, String table, String what, long fileOffset) {
    this.buf = buf;
    this.start = start;
    this.pos = start;
    this.limit = limit;
    this.table = table;
    this.what = what;
    this.fileOffset = fileOffset;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return limit - pos;
  }

  boolean hasRemaining() {
    return pos < limit;
  }

  CorruptionException corruption(String problem) {
    return Corruption.at(table, what, fileOffset, problem + " (at byte " + (pos - start) + ")");
  }

  private void need(int n, String field) {
    if (n > limit - pos) {
      throw corruption(field + " needs " + n + " bytes but only " + (limit - pos) + " remain");
    }
  }

  int readByte(String field) {
    need(1, field);
    return buf[pos++] & 0xFF;
  }

  int readFixed32(String field) {
    need(4, field);
    int v = Coding.getFixed32(buf, pos);
    pos += 4;
    return v;
  }

  long readFixed64(String field) {
    need(8, field);
    long v = Coding.getFixed64(buf, pos);
    pos += 8;
    return v;
  }

  /** A varint of at most 64 bits (10 bytes). */
  long readVarint64(String field) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw corruption("varint " + field + " runs past the end");
      }
      int b = buf[pos++] & 0xFF;
      if (shift == 63 && b > 1) {
        throw corruption("varint " + field + " overflows 64 bits");
      }
      result |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        return result;
      }
    }
    throw corruption("varint " + field + " is longer than 10 bytes");
  }

  /** A varint that must lie in {@code [0, max]}. */
  int readLength(String field, int max) {
    long v = readVarint64(field);
    if (v < 0 || v > max) {
      throw corruption(
          field + " " + Long.toUnsignedString(v) + " is out of range [0, " + max + "]");
    }
    return (int) v;
  }

  byte[] readBytes(int n, String field) {
    need(n, field);
    byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  void skip(int n, String field) {
    need(n, field);
    pos += n;
  }
}
