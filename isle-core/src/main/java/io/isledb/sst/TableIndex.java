package io.isledb.sst;

import io.isledb.util.GrowableBuffer;

/**
 * The index block, parsed once when a table is opened: for each data block, a separator key (an
 * internal key at or after the block's last key and before the next block's first key) and the
 * block's handle. Lookups are a binary search over flat arrays, with no decoding.
 *
 * <p>Parsing validates that the separators strictly increase and that the handles tile the data
 * region {@code [0, dataEnd)} exactly, in order and without gaps, so no later read can go outside
 * it.
 */
final class TableIndex {
  private final int count;
  private final byte[] keys; // all separators, concatenated
  private final int[] keyStarts; // count + 1 entries
  private final long[] offsets;
  private final int[] sizes;

  private TableIndex(int count, byte[] keys, int[] keyStarts, long[] offsets, int[] sizes) {
    this.count = count;
    this.keys = keys;
    this.keyStarts = keyStarts;
    this.offsets = offsets;
    this.sizes = sizes;
  }

  static TableIndex parse(Block block, long dataEnd, String table, long fileOffset) {
    BlockIterator it = new BlockIterator(false);
    it.reset(block);
    GrowableBuffer keyBuf = new GrowableBuffer(block.length);
    int capacity = 16;
    int[] starts = new int[capacity + 1];
    long[] offsets = new long[capacity];
    int[] sizes = new int[capacity];
    int n = 0;
    long expected = 0;
    for (it.seekToFirst(); it.valid(); it.next()) {
      // Messages are built only on failure: a table's index has thousands of entries.
      if (n > 0) {
        int prev = starts[n - 1];
        if (Keys.compare(keyBuf.array(), prev, starts[n] - prev, it.key(), 0, it.keyLength())
            >= 0) {
          throw Corruption.at(table, "index block", fileOffset, entry(n) + ": keys out of order");
        }
      }
      SliceReader v =
          new SliceReader(
              it.data(),
              it.valueOffset(),
              it.valueOffset() + it.valueLength(),
              table,
              "index block",
              fileOffset);
      long offset = v.readVarint64("block offset");
      long size = v.readVarint64("block size");
      if (v.hasRemaining()) {
        throw v.corruption(entry(n) + ": " + v.remaining() + " bytes after the block handle");
      }
      if (offset != expected || size < 0 || size > SstFormat.MAX_BLOCK_LENGTH) {
        throw Corruption.at(
            table,
            "index block",
            fileOffset,
            entry(n)
                + ": data block handle (offset "
                + offset
                + ", size "
                + size
                + ") should start at "
                + expected);
      }
      expected = offset + size + SstFormat.BLOCK_TRAILER_LENGTH;
      if (expected > dataEnd) {
        throw Corruption.at(
            table,
            "index block",
            fileOffset,
            entry(n)
                + ": data block ends at "
                + expected
                + ", past the data region end "
                + dataEnd);
      }
      if (n == capacity) {
        capacity *= 2;
        starts = java.util.Arrays.copyOf(starts, capacity + 1);
        offsets = java.util.Arrays.copyOf(offsets, capacity);
        sizes = java.util.Arrays.copyOf(sizes, capacity);
      }
      offsets[n] = offset;
      sizes[n] = (int) size;
      keyBuf.write(it.key(), 0, it.keyLength());
      starts[n + 1] = keyBuf.size();
      n++;
    }
    if (expected != dataEnd) {
      throw Corruption.at(
          table,
          "index block",
          fileOffset,
          "data blocks cover [0, " + expected + ") but the data region is [0, " + dataEnd + ")");
    }
    return new TableIndex(
        n,
        keyBuf.toByteArray(),
        java.util.Arrays.copyOf(starts, n + 1),
        java.util.Arrays.copyOf(offsets, n),
        java.util.Arrays.copyOf(sizes, n));
  }

  private static String entry(int n) {
    return "index block entry " + n;
  }

  int count() {
    return count;
  }

  long offset(int i) {
    return offsets[i];
  }

  int size(int i) {
    return sizes[i];
  }

  /** The block that starts at file offset {@code offset}, or -1 if none does. */
  int blockAt(long offset) {
    int i = java.util.Arrays.binarySearch(offsets, 0, count, offset);
    return i >= 0 ? i : -1;
  }

  /** The separator of block {@code i}: an internal key (user key and 8-byte trailer). */
  byte[] separator(int i) {
    return java.util.Arrays.copyOfRange(keys, keyStarts[i], keyStarts[i + 1]);
  }

  /** The first block whose separator is at or after {@code (userKey, trailer)}; count() if none. */
  int find(byte[] userKey, long trailer) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int start = keyStarts[mid];
      if (Keys.compare(keys, start, keyStarts[mid + 1] - start, userKey, trailer) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  long memorySize() {
    return keys.length + 4L * keyStarts.length + 8L * offsets.length + 4L * sizes.length + 96;
  }
}
