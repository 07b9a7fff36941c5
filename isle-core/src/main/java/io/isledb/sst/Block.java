package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;
import io.isledb.util.Internal;

/**
 * A decoded block of an SST (checksum verified, decompressed, restart array validated), as kept in
 * a {@link BlockCache}. Immutable and thread-safe. Its contents are internal; the only public
 * operation is {@link #memorySize()}, for cache weighers.
 *
 * <p>Layout (see {@code docs/FORMAT.md}): entries, then {@code numRestarts} fixed32 restart
 * offsets, then fixed32 {@code numRestarts}.
 */
@Internal
public final class Block {
  final byte[] data;
  final int length;
  final int restartsOffset;
  final int numRestarts;
  final String table;
  final long fileOffset;
  private final String
      what; // null for data block {@link #index}: the name is built on failure only
  private final int index;

  /**
   * Validates the restart array of {@code data[0, length)}.
   *
   * @throws CorruptionException if the restart array is malformed
   */
  Block(byte[] data, int length, String table, long fileOffset, String what) {
    this(data, length, table, fileOffset, what, -1);
  }

  /** Data block {@code index} of its table: like the other constructor, named "data block i". */
  Block(byte[] data, int length, String table, long fileOffset, int index) {
    this(data, length, table, fileOffset, null, index);
  }

  private Block(byte[] data, int length, String table, long fileOffset, String what, int index) {
    this.data = data;
    this.length = length;
    this.table = table;
    this.fileOffset = fileOffset;
    this.what = what;
    this.index = index;
    if (length < 4) {
      throw corruption("is " + length + " bytes, too short for a restart count");
    }
    long count = Integer.toUnsignedLong(Coding.getFixed32(data, length - 4));
    if (count < 1 || count > (length - 4) / 4) {
      throw corruption("restart count " + count + " does not fit in " + length + " bytes");
    }
    numRestarts = (int) count;
    restartsOffset = length - 4 - 4 * numRestarts;
    int prev = -1;
    for (int i = 0; i < numRestarts; i++) {
      int r = Coding.getFixed32(data, restartsOffset + 4 * i);
      boolean ok =
          i == 0
              ? r == 0 && (restartsOffset > 0 || numRestarts == 1)
              : r > prev && r < restartsOffset;
      if (!ok) {
        throw corruption(
            "restart point "
                + i
                + " is "
                + Integer.toUnsignedString(r)
                + " (previous "
                + prev
                + ", entries end at "
                + restartsOffset
                + ")");
      }
      prev = r;
    }
  }

  int restartPoint(int i) {
    return Coding.getFixed32(data, restartsOffset + 4 * i);
  }

  /** Whether the block has no entries. */
  boolean isEmpty() {
    return restartsOffset == 0;
  }

  /** Approximate heap bytes held by this block, for sizing caches. */
  public int memorySize() {
    return data.length + 64;
  }

  CorruptionException corruption(String problem) {
    return Corruption.at(table, what(), fileOffset, problem);
  }

  /** What the block is, for messages ("index block", "data block 3"). */
  String what() {
    return what != null ? what : BlockDecoder.dataBlock(index);
  }
}
