package io.isledb.sst;

/**
 * Where a block is stored: the offset of its first byte and the size of its stored contents. The
 * 5-byte trailer follows the contents, so the block occupies {@code [offset, end())}.
 */
record BlockHandle(long offset, long size) {
  /** The offset just past the block's trailer. */
  long end() {
    return offset + size + SstFormat.BLOCK_TRAILER_LENGTH;
  }

  /** Stored length including the trailer. */
  int storedLength() {
    return (int) (size + SstFormat.BLOCK_TRAILER_LENGTH);
  }
}
