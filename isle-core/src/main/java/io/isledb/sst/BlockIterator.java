package io.isledb.sst;

import io.isledb.util.Coding;
import java.util.Arrays;

/**
 * Iterates over the entries of one {@link Block} whose keys are internal keys. The current key is
 * rebuilt in a reusable buffer (prefix compression) and the value is referenced in place, so moving
 * allocates nothing once the key buffer is large enough. One instance can be {@link #reset(Block)
 * reset} onto block after block. Not thread-safe.
 *
 * <p>Every entry is bounds-checked as it is decoded; for data blocks the trailer kind and the value
 * layout are validated too. Anything malformed throws a {@link io.isledb.CorruptionException}
 * naming the table, the block and the entry.
 */
final class BlockIterator {
  private final boolean dataEntries;
  private Block block;
  private byte[] data;
  private int restartsOffset;

  private int current; // offset of the current entry; restartsOffset when not valid
  private int next; // offset of the entry after the current one
  private int pos; // decoding cursor
  private int headerShared;
  private int headerNonShared;
  private int headerValueLength;
  private byte[] key = new byte[64];
  private int keyLength;
  private int valueOffset;
  private int valueLength;

  // Decoded trailer and value layout of the current data entry.
  private long seq;
  private ValueKind kind;
  private long expiresAtMillis;
  private int userValueOffset;
  private int userValueLength;

  /**
   * @param dataEntries whether entries are data entries (kind and value layout are validated)
   */
  BlockIterator(boolean dataEntries) {
    this.dataEntries = dataEntries;
  }

  /** Positions this iterator before the first entry of {@code b} (not valid until moved). */
  void reset(Block b) {
    block = b;
    data = b.data;
    restartsOffset = b.restartsOffset;
    current = restartsOffset;
    next = restartsOffset;
    keyLength = 0;
  }

  boolean valid() {
    return current < restartsOffset;
  }

  void seekToFirst() {
    seekToRestart(0);
    parseNext();
  }

  void next() {
    parseNext();
  }

  /** Moves to the first entry whose internal key is at or after {@code (userKey, trailer)}. */
  void seek(byte[] userKey, long trailer) {
    int left = 0;
    int right = block.numRestarts - 1;
    while (left < right) {
      int mid = (left + right + 1) >>> 1;
      int entry = block.restartPoint(mid);
      decodeHeader(entry);
      int shared = headerShared;
      int nonShared = headerNonShared;
      int valueLen = headerValueLength;
      if (shared != 0) {
        throw entryCorruption(entry, "restart entry shares " + shared + " key bytes");
      }
      checkBounds(entry, nonShared, valueLen);
      if (nonShared < SstFormat.KEY_TRAILER_LENGTH) {
        throw entryCorruption(entry, "key of " + nonShared + " bytes has no trailer");
      }
      if (Keys.compare(data, pos, nonShared, userKey, trailer) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    seekToRestart(left);
    while (parseNext()) {
      if (Keys.compare(key, 0, keyLength, userKey, trailer) >= 0) {
        return;
      }
    }
  }

  private void seekToRestart(int index) {
    keyLength = 0;
    next = block.isEmpty() ? restartsOffset : block.restartPoint(index);
  }

  private boolean parseNext() {
    int p = next;
    if (p >= restartsOffset) {
      current = restartsOffset;
      next = restartsOffset;
      return false;
    }
    decodeHeader(p);
    int shared = headerShared;
    int nonShared = headerNonShared;
    int valueLen = headerValueLength;
    if (shared > keyLength) {
      throw entryCorruption(
          p, "shares " + shared + " bytes with a previous key of " + keyLength + " bytes");
    }
    checkBounds(p, nonShared, valueLen);
    int newLength = shared + nonShared;
    if (newLength < SstFormat.KEY_TRAILER_LENGTH) {
      throw entryCorruption(p, "key of " + newLength + " bytes has no trailer");
    }
    if (newLength > key.length) {
      key = Arrays.copyOf(key, Math.max(newLength, key.length * 2));
    }
    System.arraycopy(data, pos, key, shared, nonShared);
    keyLength = newLength;
    valueOffset = pos + nonShared;
    valueLength = valueLen;
    current = p;
    next = valueOffset + valueLen;
    if (dataEntries) {
      decodeDataEntry(p);
    }
    return true;
  }

  private void decodeDataEntry(int entry) {
    long trailer = Coding.getFixed64(key, keyLength - SstFormat.KEY_TRAILER_LENGTH);
    int kindId = (int) (trailer & 0xFF);
    ValueKind k = ValueKind.byIdOrNull(kindId);
    if (k == null) {
      throw entryCorruption(entry, "unknown value kind id " + kindId);
    }
    kind = k;
    seq = trailer >>> 8;
    if (k.hasExpiry()) {
      if (valueLength < SstFormat.EXPIRY_LENGTH) {
        throw entryCorruption(
            entry, "expiring entry has a " + valueLength + "-byte value, too short for an expiry");
      }
      expiresAtMillis = Coding.getFixed64(data, valueOffset);
      userValueOffset = valueOffset + SstFormat.EXPIRY_LENGTH;
      userValueLength = valueLength - SstFormat.EXPIRY_LENGTH;
    } else {
      if (k == ValueKind.DELETE && valueLength != 0) {
        throw entryCorruption(entry, "tombstone has a " + valueLength + "-byte value");
      }
      expiresAtMillis = 0;
      userValueOffset = valueOffset;
      userValueLength = valueLength;
    }
  }

  /**
   * Decodes the three varints of the entry at {@code p} into the header fields and leaves {@link
   * #pos} at its key bytes.
   */
  private void decodeHeader(int p) {
    if (p + 3 <= restartsOffset && (data[p] | data[p + 1] | data[p + 2]) >= 0) {
      // Fast path: all three lengths fit in one byte each.
      headerShared = data[p];
      headerNonShared = data[p + 1];
      headerValueLength = data[p + 2];
      pos = p + 3;
    } else {
      pos = p;
      headerShared = readVarint32(p);
      headerNonShared = readVarint32(p);
      headerValueLength = readVarint32(p);
    }
  }

  private void checkBounds(int entry, int nonShared, int valueLen) {
    if ((long) pos + nonShared + valueLen > restartsOffset) {
      throw entryCorruption(
          entry,
          "key delta of "
              + nonShared
              + " and value of "
              + valueLen
              + " bytes overrun the entries, which end at "
              + restartsOffset);
    }
  }

  /** Decodes a varint in {@code [0, Integer.MAX_VALUE]} at {@link #pos}, bounded by the entries. */
  private int readVarint32(int entry) {
    int result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos >= restartsOffset) {
        throw entryCorruption(entry, "varint runs past the end of the entries");
      }
      int b = data[pos++] & 0xFF;
      result |= (b & 0x7F) << shift;
      if (b < 0x80) {
        if (shift == 28 && b > 0x07) {
          throw entryCorruption(entry, "varint exceeds 31 bits");
        }
        return result;
      }
    }
    throw entryCorruption(entry, "varint is longer than 5 bytes");
  }

  private io.isledb.CorruptionException entryCorruption(int entry, String problem) {
    return block.corruption("entry at block offset " + entry + " " + problem);
  }

  // ---- current entry ----

  /** The buffer holding the current internal key in {@code [0, keyLength())}. */
  byte[] key() {
    return key;
  }

  int keyLength() {
    return keyLength;
  }

  int userKeyLength() {
    return keyLength - SstFormat.KEY_TRAILER_LENGTH;
  }

  /** The array holding the current value (the block's contents). */
  byte[] data() {
    return data;
  }

  /** Offset of the raw value (for data entries: including the expiry of expiring kinds). */
  int valueOffset() {
    return valueOffset;
  }

  int valueLength() {
    return valueLength;
  }

  long seq() {
    return seq;
  }

  ValueKind kind() {
    return kind;
  }

  long expiresAtMillis() {
    return expiresAtMillis;
  }

  int userValueOffset() {
    return userValueOffset;
  }

  int userValueLength() {
    return userValueLength;
  }

  /** Like {@link #toEntry()}, with {@code userKey} (equal to the current user key) as the key. */
  Entry toEntry(byte[] userKey) {
    return new Entry(
        userKey,
        seq,
        kind,
        expiresAtMillis,
        Arrays.copyOfRange(data, userValueOffset, userValueOffset + userValueLength));
  }

  /** Forgets the block (a reused iterator must not keep a block alive). */
  void release() {
    block = null;
    data = null;
    restartsOffset = 0;
    current = 0;
    next = 0;
  }

  /** The current data entry as a new {@link Entry}. */
  Entry toEntry() {
    return new Entry(
        Arrays.copyOf(key, userKeyLength()),
        seq,
        kind,
        expiresAtMillis,
        Arrays.copyOfRange(data, userValueOffset, userValueOffset + userValueLength));
  }
}
