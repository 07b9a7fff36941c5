package io.isledb.sst;

import io.isledb.util.Internal;

/**
 * Point lookups of many keys in one table, in key order: the key range and the bloom filter are
 * consulted per key (no I/O), and each data block holding candidates is read once per call, so keys
 * that share a block cost one block read between them. The batch counterpart of {@link
 * TableReader#get(byte[])}.
 */
@Internal
public final class SortedLookup {
  private SortedLookup() {}

  /**
   * For each {@code keys[slots[j]]}, {@code j < count}, with the keys at those slots in strictly
   * ascending order, stores the newest entry of that key in the table (tombstones included) into
   * {@code out[slots[j]]}; keys the table does not hold leave their slot untouched.
   */
  public static void get(TableReader table, byte[][] keys, int[] slots, int count, Entry[] out) {
    table.checkOpen();
    long trailer = Keys.seekTrailer(SstFormat.MAX_SEQUENCE);
    TableIndex index = table.index();
    Block held = null; // the block of the previous candidates, retained if in native memory
    int loaded = -1;
    try {
      for (int j = 0; j < count; j++) {
        byte[] key = keys[slots[j]];
        if (!table.mayContain(key)) {
          continue;
        }
        int block = index.find(key, trailer);
        if (block == index.count()) {
          continue;
        }
        if (block != loaded) {
          if (held != null) {
            held.release();
            held = null;
          }
          held = table.pointBlock(block);
          loaded = block;
        }
        // Keys ascend, but a seek within a block is cheap enough to restart from its restarts.
        Entry e = table.find(held, key, trailer);
        if (e != null) {
          out[slots[j]] = e;
        }
      }
    } finally {
      if (held != null) {
        held.release();
      }
    }
  }
}
