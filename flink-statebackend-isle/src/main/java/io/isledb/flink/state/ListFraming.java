package io.isledb.flink.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The value of a list state: its elements, each framed as a 4-byte big-endian length followed by
 * the element's serialized bytes. {@code add} appends one frame as an engine append operand (no
 * read), so the stored value is the frames of every element in the order they were added. Length
 * prefixes rather than Flink's RocksDB framing (self-delimiting elements separated by a delimiter
 * byte): the compaction filter, canonical savepoints and migration split a list into elements
 * without its serializer.
 */
final class ListFraming {
  static final int HEADER = Integer.BYTES;

  private ListFraming() {}

  /** One element's frame. */
  static byte[] frame(byte[] element) {
    byte[] out = new byte[HEADER + element.length];
    writeLength(out, 0, element.length);
    System.arraycopy(element, 0, out, HEADER, element.length);
    return out;
  }

  /** The frames of {@code elements}, in order. */
  static byte[] frameAll(List<byte[]> elements) {
    int size = 0;
    for (byte[] e : elements) {
      size += HEADER + e.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] e : elements) {
      writeLength(out, at, e.length);
      System.arraycopy(e, 0, out, at + HEADER, e.length);
      at += HEADER + e.length;
    }
    return out;
  }

  /**
   * The elements of a stored list value, in order.
   *
   * @throws IllegalStateException naming {@code where} if the value is not a sequence of frames
   */
  static List<byte[]> split(byte[] value, String where) {
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    while (at < value.length) {
      int length = lengthAt(value, at, where);
      out.add(java.util.Arrays.copyOfRange(value, at + HEADER, at + HEADER + length));
      at += HEADER + length;
    }
    return out;
  }

  /** The length of the element framed at {@code at}, checked against the value's end. */
  static int lengthAt(byte[] value, int at, String where) {
    if (value.length - at < HEADER) {
      throw malformed(value, at, where);
    }
    int length =
        ((value[at] & 0xFF) << 24)
            | ((value[at + 1] & 0xFF) << 16)
            | ((value[at + 2] & 0xFF) << 8)
            | (value[at + 3] & 0xFF);
    if (length < 0 || length > value.length - at - HEADER) {
      throw malformed(value, at, where);
    }
    return length;
  }

  private static IllegalStateException malformed(byte[] value, int at, String where) {
    return new IllegalStateException(
        "malformed list value of "
            + where
            + ": a frame at byte "
            + at
            + " of "
            + value.length
            + " runs past the end (was it written by the per-element list layout?)");
  }

  private static void writeLength(byte[] out, int at, int length) {
    out[at] = (byte) (length >>> 24);
    out[at + 1] = (byte) (length >>> 16);
    out[at + 2] = (byte) (length >>> 8);
    out[at + 3] = (byte) length;
  }
}
