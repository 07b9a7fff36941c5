package io.isledb.util;

import io.isledb.IsleException;
import java.util.Arrays;

/**
 * An append-only byte buffer that grows as needed and can be reset and shrunk, for encoders that
 * reuse one buffer across many records. Not thread-safe.
 */
@Internal
public final class GrowableBuffer {
  private byte[] array;
  private int size;

  /** A buffer with room for {@code initialCapacity} bytes before it first grows. */
  public GrowableBuffer(int initialCapacity) {
    array = new byte[Math.max(16, initialCapacity)];
  }

  /** The backing array; bytes {@code [0, size())} are the contents. Valid until the next write. */
  public byte[] array() {
    return array;
  }

  /** Number of bytes written since the last {@link #reset()}. */
  public int size() {
    return size;
  }

  /** Length of the backing array. */
  public int capacity() {
    return array.length;
  }

  /** Forgets the contents, keeping the backing array. */
  public void reset() {
    size = 0;
  }

  /** Forgets the contents and, if the backing array is larger than {@code capacity}, shrinks it. */
  public void resetAndShrink(int capacity) {
    size = 0;
    if (array.length > capacity) {
      array = new byte[Math.max(16, capacity)];
    }
  }

  /** Makes room for {@code extra} more bytes. */
  public void ensureWritable(int extra) {
    long needed = (long) size + extra;
    if (needed > array.length) {
      if (needed > Integer.MAX_VALUE - 8) {
        throw IsleException.invalidArgument("buffer would exceed 2 GiB: " + needed + " bytes");
      }
      long grown = Math.max(needed, Math.min((long) array.length * 2, Integer.MAX_VALUE - 8));
      array = Arrays.copyOf(array, (int) grown);
    }
  }

  /**
   * Counts {@code n} bytes that the caller wrote directly into {@link #array()} at {@link #size()},
   * after making room with {@link #ensureWritable(int)}.
   */
  public void advance(int n) {
    if (n < 0 || n > array.length - size) {
      throw IsleException.internal("cannot advance " + n + " bytes past size " + size);
    }
    size += n;
  }

  /** Appends one byte. */
  public void writeByte(int b) {
    ensureWritable(1);
    array[size++] = (byte) b;
  }

  /** Appends {@code length} bytes of {@code src} starting at {@code offset}. */
  public void write(byte[] src, int offset, int length) {
    ensureWritable(length);
    System.arraycopy(src, offset, array, size, length);
    size += length;
  }

  /** Appends all of {@code src}. */
  public void write(byte[] src) {
    write(src, 0, src.length);
  }

  /** Appends a 4-byte little-endian int. */
  public void writeFixed32(int value) {
    ensureWritable(4);
    Coding.putFixed32(array, size, value);
    size += 4;
  }

  /** Appends an 8-byte little-endian long. */
  public void writeFixed64(long value) {
    ensureWritable(8);
    Coding.putFixed64(array, size, value);
    size += 8;
  }

  /** Appends a varint of {@code value} taken as unsigned (1 to 10 bytes). */
  public void writeVarint(long value) {
    ensureWritable(Coding.MAX_VARINT64_LENGTH);
    size = Coding.putVarint64(array, size, value);
  }

  /** A copy of the contents. */
  public byte[] toByteArray() {
    return Arrays.copyOf(array, size);
  }
}
