package io.isledb.db.write;

/**
 * Hash index of a memtable: the newest entry number per distinct key. Open addressing with linear
 * probing over two int arrays (entry number + 1, 0 for free; the key's hash, so most probes skip a
 * key comparison), at most half full. Entries are only added, in entry order, and a key's newer
 * entry replaces its older one in the same slot, so a lookup is one probe sequence. Single writer;
 * readers need the writer's lock or a memtable whose index no longer changes (see {@link
 * Memtable}).
 */
final class KeyIndex {
  /** The keys of a memtable's entries. */
  interface Keys {
    /** {@link KeyIndex#hash} of entry {@code entry}'s key. */
    int keyHash(int entry);

    /** Whether entry {@code entry} has the key {@code key}. */
    boolean keyEquals(int entry, byte[] key);

    /** Whether entries {@code a} and {@code b} have the same key. */
    boolean sameKey(int a, int b);
  }

  private final Keys keys;
  private int[] slots = new int[1024];
  private int[] hashes = new int[1024];
  private int used;

  KeyIndex(Keys keys) {
    this.keys = keys;
  }

  /** The hash of {@code b[from, to)} (equal slices hash equally wherever they are). */
  static int hash(byte[] b, int from, int to) {
    int h = 1;
    for (int i = from; i < to; i++) {
      h = 31 * h + b[i];
    }
    return h ^ (h >>> 15) ^ (h >>> 7); // spread the low bits, which pick the slot
  }

  /**
   * Records {@code entry} as the newest one of its key (entries are added in order).
   *
   * @return the entry it replaces as the newest of the key, or -1
   */
  int add(int entry) {
    int h = keys.keyHash(entry);
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) {
        slots[i] = entry + 1;
        hashes[i] = h;
        if (++used * 2 > slots.length) {
          grow();
        }
        return -1;
      }
      if (hashes[i] == h && keys.sameKey(s - 1, entry)) {
        slots[i] = entry + 1;
        return s - 1;
      }
    }
  }

  /** The newest entry of {@code key}, or -1. */
  int get(byte[] key) {
    int h = hash(key, 0, key.length);
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
