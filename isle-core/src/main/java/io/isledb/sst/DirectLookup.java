package io.isledb.sst;

import io.isledb.CorruptionException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A point lookup in a data block held in native memory ({@link Block#isDirect()}): the binary
 * search over the restart points and the scan of one restart interval read the block in place, and
 * only the found entry's value is copied out, so a lookup reading a cached block allocates no more
 * than on a heap block. Validates what it decodes as {@link BlockIterator} does (entry bounds,
 * prefix lengths, key trailers, value kinds and layouts). One instance per thread ({@link
 * TableReader}): its key buffer is reused.
 */
final class DirectLookup {
  private byte[] key = new byte[64];
  private int keyLength;
  private Block block;
  private ByteBuffer buf;
  private int restartsOffset;
  private int pos; // decoding cursor
  private int shared;
  private int nonShared;
  private int valueLength;

  /**
   * The newest entry of {@code userKey} at or below the sequence number in {@code trailer} (a seek
   * trailer, {@link Keys#seekTrailer}), or null if the block holds none. The entry's key is {@code
   * userKey} itself.
   */
  Entry get(Block b, byte[] userKey, long trailer) {
    block = b;
    buf = b.direct;
    restartsOffset = b.restartsOffset;
    try {
      int p = b.isEmpty() ? restartsOffset : b.restartPoint(restartBefore(userKey, trailer));
      keyLength = 0;
      while (p < restartsOffset) {
        int entry = p;
        header(entry);
        if (shared > keyLength) {
          throw corruption(
              entry, "shares " + shared + " bytes with a previous key of " + keyLength + " bytes");
        }
        int length = readKey(entry, shared);
        keyLength = length;
        int valueOffset = pos + nonShared;
        p = valueOffset + valueLength;
        long entryTrailer =
            io.isledb.util.Coding.getFixed64(key, length - SstFormat.KEY_TRAILER_LENGTH);
        ValueKind kind = kindOf(entry, entryTrailer, valueOffset);
        if (Keys.compare(key, 0, length, userKey, trailer) >= 0) {
          int userLength = length - SstFormat.KEY_TRAILER_LENGTH;
          if (!Arrays.equals(key, 0, userLength, userKey, 0, userKey.length)) {
            return null;
          }
          return entry(userKey, entryTrailer, kind, valueOffset);
        }
      }
      return null;
    } finally {
      block = null;
      buf = null;
    }
  }

  /** The last restart point whose key is before the sought key (0 if none). */
  private int restartBefore(byte[] userKey, long trailer) {
    int left = 0;
    int right = block.numRestarts - 1;
    while (left < right) {
      int mid = (left + right + 1) >>> 1;
      int entry = block.restartPoint(mid);
      header(entry);
      if (shared != 0) {
        throw corruption(entry, "restart entry shares " + shared + " key bytes");
      }
      int length = readKey(entry, 0);
      if (Keys.compare(key, 0, length, userKey, trailer) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    return left;
  }

  /** Copies the key delta of the entry whose header was just read; returns the key's length. */
  private int readKey(int entry, int prefix) {
    if ((long) pos + nonShared + valueLength > restartsOffset) {
      throw corruption(
          entry,
          "key delta of "
              + nonShared
              + " and value of "
              + valueLength
              + " bytes overrun the entries, which end at "
              + restartsOffset);
    }
    int length = prefix + nonShared;
    if (length < SstFormat.KEY_TRAILER_LENGTH) {
      throw corruption(entry, "key of " + length + " bytes has no trailer");
    }
    if (length > key.length) {
      key = Arrays.copyOf(key, Math.max(length, key.length * 2));
    }
    buf.get(pos, key, prefix, nonShared);
    return length;
  }

  private ValueKind kindOf(int entry, long trailer, int valueOffset) {
    int kindId = (int) (trailer & 0xFF);
    ValueKind k = ValueKind.byIdOrNull(kindId);
    if (k == null) {
      throw corruption(entry, "unknown value kind id " + kindId);
    }
    if (k.hasExpiry() && valueLength < SstFormat.EXPIRY_LENGTH) {
      throw corruption(
          entry, "expiring entry has a " + valueLength + "-byte value, too short for an expiry");
    }
    if (k == ValueKind.DELETE && valueLength != 0) {
      throw corruption(entry, "tombstone has a " + valueLength + "-byte value");
    }
    return k;
  }

  private Entry entry(byte[] userKey, long trailer, ValueKind kind, int valueOffset) {
    long expiresAt = 0;
    int off = valueOffset;
    int len = valueLength;
    if (kind.hasExpiry()) {
      expiresAt = buf.getLong(valueOffset);
      off += SstFormat.EXPIRY_LENGTH;
      len -= SstFormat.EXPIRY_LENGTH;
    }
    byte[] value = new byte[len];
    buf.get(off, value, 0, len);
    return new Entry(userKey, trailer >>> 8, kind, expiresAt, value);
  }

  /** Reads the three varint lengths of the entry at {@code p}; leaves {@link #pos} at its key. */
  private void header(int p) {
    if (p + 3 <= restartsOffset) {
      byte s = buf.get(p);
      byte n = buf.get(p + 1);
      byte v = buf.get(p + 2);
      if ((s | n | v) >= 0) {
        shared = s;
        nonShared = n;
        valueLength = v;
        pos = p + 3;
        return;
      }
    }
    pos = p;
    shared = varint(p);
    nonShared = varint(p);
    valueLength = varint(p);
  }

  private int varint(int entry) {
    int result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos >= restartsOffset) {
        throw corruption(entry, "varint runs past the end of the entries");
      }
      int b = buf.get(pos++) & 0xFF;
      result |= (b & 0x7F) << shift;
      if (b < 0x80) {
        if (shift == 28 && b > 0x07) {
          throw corruption(entry, "varint exceeds 31 bits");
        }
        return result;
      }
    }
    throw corruption(entry, "varint is longer than 5 bytes");
  }

  private CorruptionException corruption(int entry, String problem) {
    return block.corruption("entry at block offset " + entry + " " + problem);
  }
}
