package io.isledb.db.write;

import java.util.Arrays;

/**
 * Hash index of a memtable: the newest entry number per distinct key. Open addressing with linear
 * probing over two int arrays (entry number + 1, 0 for free; the key's hash, so most probes skip a
 * key comparison), at most half full. Entries are only added, and a key's newer entry replaces its
 * older one in the same slot, so a lookup is one probe sequence. Single writer; readers need the
 * writer's lock or a memtable that no longer changes (see {@link Memtable}).
 */
final class KeyIndex {
  /** Whether entry {@code entry} has the key {@code key}. */
  interface Keys {
    boolean keyEquals(int entry, byte[] key);
  }

  private final Keys keys;
  private int[] slots = new int[1024];
  private int[] hashes = new int[1024];
  private int used;

  KeyIndex(Keys keys) {
    this.keys = keys;
  }

  private static int hash(byte[] key) {
    int h = Arrays.hashCode(key);
    return h ^ (h >>> 15) ^ (h >>> 7); // spread the low bits, which pick the slot
  }

  /** Records {@code entry} as the newest one of {@code key}. */
  void put(byte[] key, int entry) {
    int h = hash(key);
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) {
        slots[i] = entry + 1;
        hashes[i] = h;
        if (++used * 2 > slots.length) {
          grow();
        }
        return;
      }
      if (hashes[i] == h && keys.keyEquals(s - 1, key)) {
        slots[i] = entry + 1;
        return;
      }
    }
  }

  /** The newest entry of {@code key}, or -1. */
  int get(byte[] key) {
    int h = hash(key);
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) {
        return -1;
      }
      if (hashes[i] == h && keys.keyEquals(s - 1, key)) {
        return s - 1;
      }
    }
  }

  private void grow() {
    int[] oldSlots = slots;
    int[] oldHashes = hashes;
    int n = oldSlots.length * 2;
    int mask = n - 1;
    int[] ns = new int[n];
    int[] nh = new int[n];
    for (int j = 0; j < oldSlots.length; j++) {
      if (oldSlots[j] != 0) {
        int i = oldHashes[j] & mask;
        while (ns[i] != 0) {
          i = (i + 1) & mask;
        }
        ns[i] = oldSlots[j];
        nh[i] = oldHashes[j];
      }
    }
    slots = ns;
    hashes = nh;
  }
}
