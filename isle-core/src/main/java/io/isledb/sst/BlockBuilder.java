package io.isledb.sst;

import io.isledb.util.GrowableBuffer;
import java.util.Arrays;

/**
 * Builds one block: entries with prefix-compressed keys, a restart point every {@code
 * restartInterval} entries (where the full key is stored), then the restart array and its count.
 *
 * <p>Entry: varint32 shared key bytes, varint32 unshared key bytes, varint32 value length, the
 * unshared key bytes, the value. Keys must be added in increasing order; the caller checks that.
 */
final class BlockBuilder {
  private final int restartInterval;
  private final int initialCapacity;
  private final GrowableBuffer buffer;
  private int[] restarts = new int[16];
  private int numRestarts;
  private int counter; // entries since the last restart
  private int entries;
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;

  BlockBuilder(int restartInterval, int initialCapacity) {
    this.restartInterval = restartInterval;
    this.initialCapacity = initialCapacity;
    this.buffer = new GrowableBuffer(initialCapacity);
    reset();
  }

  /** Starts a new, empty block. */
  void reset() {
    buffer.reset();
    numRestarts = 1;
    restarts[0] = 0;
    counter = 0;
    entries = 0;
    lastKeyLength = 0;
  }

  /**
   * Starts a new block and gives back memory if a large entry grew the buffers past {@code 2 *
   * initialCapacity}.
   */
  void resetAndShrink() {
    buffer.resetAndShrink(2 * initialCapacity);
    if (lastKey.length > 4096) {
      lastKey = new byte[64];
    }
    if (restarts.length > 4096) {
      restarts = new int[16];
    }
    reset();
  }

  boolean isEmpty() {
    return entries == 0;
  }

  /**
   * Appends an entry whose value is {@code fixed64(prefix)} (only if {@code hasPrefix}) followed by
   * {@code value[valueOffset, valueOffset + valueLength)}.
   */
  void add(
      byte[] key,
      int keyLength,
      boolean hasPrefix,
      long prefix,
      byte[] value,
      int valueOffset,
      int valueLength) {
    int shared = 0;
    if (counter < restartInterval) {
      if (entries > 0) {
        int m = Arrays.mismatch(lastKey, 0, lastKeyLength, key, 0, keyLength);
        shared = m < 0 ? keyLength : m;
      }
    } else {
      if (numRestarts == restarts.length) {
        restarts = Arrays.copyOf(restarts, restarts.length * 2);
      }
      restarts[numRestarts++] = buffer.size();
      counter = 0;
    }
    int nonShared = keyLength - shared;
    int fullValueLength = valueLength + (hasPrefix ? SstFormat.EXPIRY_LENGTH : 0);
    buffer.writeVarint(shared);
    buffer.writeVarint(nonShared);
    buffer.writeVarint(fullValueLength);
    buffer.write(key, shared, nonShared);
    if (hasPrefix) {
      buffer.writeFixed64(prefix);
    }
    buffer.write(value, valueOffset, valueLength);

    if (keyLength > lastKey.length) {
      lastKey = Arrays.copyOf(lastKey, Math.max(keyLength, lastKey.length * 2));
    }
    System.arraycopy(key, shared, lastKey, shared, nonShared);
    lastKeyLength = keyLength;
    counter++;
    entries++;
  }

  /** Size of the block if it were finished now. */
  int sizeEstimate() {
    return buffer.size() + 4 * numRestarts + 4;
  }

  /**
   * Appends the restart array; the block's contents are then {@code array()[0, size())} until the
   * next {@link #reset()}.
   */
  void finish() {
    for (int i = 0; i < numRestarts; i++) {
      buffer.writeFixed32(restarts[i]);
    }
    buffer.writeFixed32(numRestarts);
  }

  byte[] array() {
    return buffer.array();
  }

  int size() {
    return buffer.size();
  }

  /** Heap bytes held by this builder's buffers. */
  long retainedBytes() {
    return buffer.capacity() + 4L * restarts.length + lastKey.length;
  }
}
