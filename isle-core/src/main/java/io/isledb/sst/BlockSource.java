package io.isledb.sst;

import io.isledb.util.Internal;

/**
 * Where a {@link TableReader} reads a table's bytes from: an object in storage ({@link
 * ObjectStoreBlockSource}), a local file ({@link FileBlockSource}) or an array in memory ({@link
 * #of(byte[])}).
 *
 * <p>Each call is exactly one storage read, so request counts are predictable: opening a table
 * costs one or two calls and a point lookup at most one more. Implementations must be thread-safe.
 */
@FunctionalInterface
@Internal
public interface BlockSource {
  /**
   * Bytes {@code [offset, offset + length)} of the table. Returns exactly {@code length} bytes, or
   * fewer only if the file ends earlier (the reader reports that as truncation).
   *
   * @throws io.isledb.IsleException of kind UNAVAILABLE if storage failed, CORRUPTION if the object
   *     is missing
   */
  byte[] read(long offset, int length);

  /**
   * Like {@link #read} (one storage read, same errors), but into {@code dst[0, length)}: a lookup
   * reads a compressed block into a buffer it reuses, instead of a new array per block. Returns the
   * number of bytes read, fewer than {@code length} only if the file ends earlier. {@code dst} must
   * hold at least {@code length} bytes.
   */
  default int readInto(long offset, int length, byte[] dst) {
    byte[] b = read(offset, length);
    int n = Math.min(b.length, length);
    System.arraycopy(b, 0, dst, 0, n);
    return n;
  }

  /**
   * The table's last bytes, {@code [offset, fileSize)}, if this source holds them in memory already
   * (its prefetched tail, or the whole table): {@link TableReader#open} then reads the footer and
   * the metadata blocks from them, without a call to {@link #read} and without copying them, and a
   * filter that is most of them keeps the array. Null otherwise. The array must never change.
   */
  default Tail heldTail() {
    return null;
  }

  /** Bytes {@code [offset, offset + bytes.length)}, the end of a table, held by its source. */
  record Tail(long offset, byte[] bytes) {}

  /** A source over a table held in memory (the array is not copied; do not modify it). */
  static BlockSource of(byte[] table) {
    return (offset, length) -> {
      int start = (int) Math.min(Math.max(offset, 0), table.length);
      int end = (int) Math.min((long) table.length, start + (long) length);
      return java.util.Arrays.copyOfRange(table, start, end);
    };
  }
}
