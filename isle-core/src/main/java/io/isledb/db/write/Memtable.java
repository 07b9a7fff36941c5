package io.isledb.db.write;

import io.isledb.sst.Entry;
import io.isledb.sst.ValueKind;
import java.util.Arrays;

/**
 * The writer's in-memory table: an append-only arena with a lazily built hash index. {@link #add}
 * copies the key and the value into 1 MiB chunks (keys and values in separate chunks, so the sort
 * compares keys packed closely together) and records the entry in parallel primitive arrays (no
 * per-entry objects, so a full memtable is a few dozen arrays for the garbage collector). The flush
 * sorts the entries once, by (user key ascending, sequence descending), in {@link #sorted()}. Every
 * version is kept (the tailing reader emits each one).
 *
 * <p>Reads for the writer's view ({@link WriterView}): {@link #find} probes a {@link KeyIndex} of
 * the newest entry per key, first indexing the entries added since the previous find (a put only
 * appends: indexing it there cost a hash and a cache-missing slot write per put, 1.5x the put; a
 * skip list would cost each put O(log n) key comparisons in cold memory); {@link #snapshot()} gives
 * a scan sorted runs ({@link MemtableSnapshot.Runs}).
 *
 * <p>Not thread-safe for writes: the writer serializes {@link #add} and the other mutators under
 * its write lock, and hands a frozen memtable to the flush thread through a synchronized queue.
 * {@link #find} and {@link #snapshot()} run under the writer's write lock while the memtable is
 * active, and without it once frozen (no entries are added then; {@link #snapshot()} and the index
 * catch-up of {@link #find} are synchronized for concurrent views). {@link #firstAddMillis()} is
 * volatile for the interval timer; {@link #entries()} may be read racily for messages.
 */
final class Memtable {
  /** Bytes of bookkeeping per entry (positions, lengths, sequence, kind; expiry when used). */
  static final int ENTRY_OVERHEAD = 40;

  static final int CHUNK_SIZE = 1 << 20;

  private final Arena keyArena = new Arena();
  private final Arena valueArena = new Arena();

  // Entry i: key at keyArena (chunk keyPos[i] >>> 32, offset (int) keyPos[i]), keyLength[i] bytes;
  // value likewise in valueArena.
  private long[] keyPos = new long[1024];
  private long[] valuePos = new long[1024];
  private int[] keyLength = new int[1024];
  private int[] valueLength = new int[1024];
  private long[] seqs = new long[1024];
  private byte[] kinds = new byte[1024];
  private long[] expires; // allocated with the first expiring entry
  // Entry i's previous version of its key (entry number), -1 for none; set when i is indexed, and
  // only once an append operand was added (older versions are read only below an operand).
  private int[] older;
  private boolean hasAppends;
  private int count;
  private byte[] firstKey;
  private int commonPrefix; // bytes every key added so far shares with the first one
  private long[] sortPrefix; // during the sort: 8 key bytes after the common prefix, per entry
  private final KeyIndex index = new KeyIndex(new IndexKeys());
  private volatile int indexed; // entries [0, indexed) are in index
  private MemtableSnapshot.Runs runs = MemtableSnapshot.Runs.EMPTY; // sorted by snapshot()
  private long scanDebt; // extra runs scans have sought in since the runs were last merged into one

  /** Entries whose merge costs about what one scan's seek in one extra run costs. */
  static final int CONSOLIDATE_WEIGHT = 8;

  private long bytes;
  private long minSeq = Long.MAX_VALUE;
  private long maxSeq = 0;
  private long minTime = Long.MAX_VALUE;
  private long maxTime = Long.MIN_VALUE;

  /** {@link #firstAddMillis()} of a memtable nothing was added to. */
  static final long NOT_ADDED = Long.MIN_VALUE;

  private final long createdMillis;
  private volatile long generation;
  private volatile long firstAddMillis = NOT_ADDED;

  Memtable(long createdMillis) {
    this.createdMillis = createdMillis;
  }

  /** Copies one version in. {@code key} and {@code value} stay the caller's. */
  void add(byte[] key, long seq, ValueKind kind, long expiresAt, byte[] value, long nowMillis) {
    if (firstAddMillis == NOT_ADDED) {
      // The writer's injected clock (passed in), so the flush interval follows a test's fake clock.
      firstAddMillis = nowMillis;
    }
    int kl = key.length;
    int vl = value.length;
    if (firstKey == null) {
      firstKey = key.clone();
      commonPrefix = kl;
    } else if (commonPrefix > 0) {
      int m = Arrays.mismatch(firstKey, 0, commonPrefix, key, 0, Math.min(commonPrefix, kl));
      if (m >= 0) {
        commonPrefix = m;
      }
    }
    if (count == seqs.length) {
      grow();
    }
    int i = count;
    keyPos[i] = keyArena.append(key);
    valuePos[i] = valueArena.append(value);
    keyLength[i] = kl;
    valueLength[i] = vl;
    seqs[i] = seq;
    kinds[i] = kind.id();
    hasAppends |= kind.isAppend();
    if (expiresAt != 0 || expires != null) {
      if (expires == null) {
        expires = new long[seqs.length];
      }
      expires[i] = expiresAt;
    }
    count = i + 1;
    bytes += kl + vl + ENTRY_OVERHEAD;
    if (seq < minSeq) {
      minSeq = seq;
    }
    if (seq > maxSeq) {
      maxSeq = seq;
    }
    if (nowMillis < minTime) {
      minTime = nowMillis;
    }
    if (nowMillis > maxTime) {
      maxTime = nowMillis;
    }
  }

  /** Byte strings appended to 1 MiB chunks; a position is {@code chunk << 32 | offset}. */
  private static final class Arena {
    private byte[][] chunks = new byte[4][];
    private int chunkCount;
    private byte[] chunk; // the chunk being filled, chunks[chunkCount - 1]
    private int chunkPos;

    long append(byte[] b) {
      int n = b.length;
      if (chunk == null || chunk.length - chunkPos < n) {
        if (chunkCount == chunks.length) {
          chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        // Large strings get a chunk of their own; the partly used chunk is left as it is.
        chunk = new byte[Math.max(CHUNK_SIZE, n)];
        chunks[chunkCount++] = chunk;
        chunkPos = 0;
      }
      System.arraycopy(b, 0, chunk, chunkPos, n);
      long p = ((long) (chunkCount - 1) << 32) | chunkPos;
      chunkPos += n;
      return p;
    }

    byte[] array(long pos) {
      return chunks[(int) (pos >>> 32)];
    }
  }

  /** The keys of the entries, for {@link KeyIndex}. */
  private final class IndexKeys implements KeyIndex.Keys {
    @Override
    public int keyHash(int entry) {
      long p = keyPos[entry];
      int o = (int) p;
      return KeyIndex.hash(keyArena.array(p), o, o + keyLength[entry]);
    }

    @Override
    public boolean keyEquals(int entry, byte[] key) {
      long p = keyPos[entry];
      int o = (int) p;
      return Arrays.equals(keyArena.array(p), o, o + keyLength[entry], key, 0, key.length);
    }

    @Override
    public boolean sameKey(int a, int b) {
      long pa = keyPos[a];
      long pb = keyPos[b];
      int oa = (int) pa;
      int ob = (int) pb;
      return Arrays.equals(
          keyArena.array(pa), oa, oa + keyLength[a], keyArena.array(pb), ob, ob + keyLength[b]);
    }
  }

  /**
   * The newest entry of {@code key} (highest sequence number; value copied), or null. Under the
   * writer's write lock while active; concurrent calls are safe once frozen.
   */
  Entry find(byte[] key) {
    if (indexed < count) {
      catchUpIndex();
    }
    int e = index.get(key);
    return e < 0 ? null : entry(key, e);
  }

  /**
   * The versions of {@code key} a read needs, newest first: the newest, and while they are append
   * operands the older ones down to the first that is not (or the oldest). Null if none. Locking as
   * for {@link #find}.
   */
  Entry[] findChain(byte[] key) {
    if (indexed < count) {
      catchUpIndex();
    }
    int e = index.get(key);
    if (e < 0) {
      return null;
    }
    Entry first = entry(key, e);
    if (!first.kind().isAppend()) {
      return new Entry[] {first};
    }
    java.util.List<Entry> chain = new java.util.ArrayList<>();
    chain.add(first);
    for (int o = older[e]; o >= 0; o = older[o]) {
      Entry v = entry(key, o);
      chain.add(v);
      if (!v.kind().isAppend()) {
        break;
      }
    }
    return chain.toArray(new Entry[0]);
  }

  private Entry entry(byte[] key, int e) {
    long p = valuePos[e];
    int o = (int) p;
    byte[] value = Arrays.copyOfRange(valueArena.array(p), o, o + valueLength[e]);
    long expiresAt = expires == null ? 0 : expires[e];
    return new Entry(key, seqs[e], ValueKind.fromId(kinds[e]), expiresAt, value);
  }

  /**
   * Indexes the entries added since the last call: {@link #add} leaves the index alone, so a put
   * costs what the arena append costs and each entry is indexed once, by the first {@link #find}
   * after it. Synchronized for concurrent finds on a frozen memtable; a find that sees {@code
   * indexed == count} (volatile) probes an index nothing changes any more. Once an append operand
   * was added, every entry is linked to its key's previous version ({@link #findChain}); the links
   * of entries indexed before the first operand are rebuilt from the entries in order.
   */
  private synchronized void catchUpIndex() {
    int n = count;
    if (hasAppends && older == null) {
      older = new int[seqs.length];
      KeyIndex rebuilt = new KeyIndex(new IndexKeys());
      for (int i = 0; i < indexed; i++) {
        older[i] = rebuilt.add(i);
      }
    }
    for (int i = indexed; i < n; i++) {
      int prev = index.add(i);
      if (older != null) {
        older[i] = prev;
      }
    }
    indexed = n;
  }

  /**
   * The entries added so far, readable without locks while more are added, with sorted runs for
   * scans. Under the writer's write lock while active.
   */
  synchronized MemtableSnapshot snapshot() {
    MemtableSnapshot s =
        new MemtableSnapshot(
            count,
            keyArena.chunks,
            keyPos,
            keyLength,
            valueArena.chunks,
            valuePos,
            valueLength,
            seqs,
            kinds,
            expires);
    runs = runs.extend(s);
    // Each scan seeks in every run and merges them entry by entry. Interleaved writes and scans
    // (a state backend's read-modify-write, list update) leave O(log n) runs; a read-mostly phase
    // would pay for all of them on every scan for ever. So the extra runs this snapshot's scan
    // will seek count as debt, and once the debt reaches the cost of merging everything into one
    // run, the runs are merged: a seek in a run is a binary search (log2 n, 10-20 key comparisons)
    // plus heap steps, the merge about two comparisons per entry, so merging when debt x 8 >= n
    // costs at most about what the extra seeks cost (interleaved writes pay at most double), and
    // a memtable that is only read converges to one run (one seek per scan).
    scanDebt += runs.runs.size() - 1;
    if (runs.runs.size() > 1 && scanDebt * CONSOLIDATE_WEIGHT >= runs.covered) {
      runs = runs.consolidate(s);
      scanDebt = 0;
    }
    return s.withRuns(runs);
  }

  private void grow() {
    int n = seqs.length * 2;
    keyPos = Arrays.copyOf(keyPos, n);
    valuePos = Arrays.copyOf(valuePos, n);
    keyLength = Arrays.copyOf(keyLength, n);
    valueLength = Arrays.copyOf(valueLength, n);
    seqs = Arrays.copyOf(seqs, n);
    kinds = Arrays.copyOf(kinds, n);
    if (expires != null) {
      expires = Arrays.copyOf(expires, n);
    }
    if (older != null) {
      older = Arrays.copyOf(older, n);
    }
  }

  boolean isEmpty() {
    return count == 0;
  }

  int entries() {
    return count;
  }

  long approximateBytes() {
    return bytes;
  }

  long minSeq() {
    return minSeq;
  }

  long maxSeq() {
    return maxSeq;
  }

  long minTime() {
    return minTime;
  }

  long maxTime() {
    return maxTime;
  }

  long createdMillis() {
    return createdMillis;
  }

  /** When the first entry was added (the writer's clock), {@link #NOT_ADDED} while empty. */
  long firstAddMillis() {
    return firstAddMillis;
  }

  long generation() {
    return generation;
  }

  void setGeneration(long g) {
    generation = g;
  }

  /** The entries in internal key order. Call only once nothing is added any more. */
  Sorted sorted() {
    return new Sorted(sortedOrder());
  }

  /** Entry numbers ordered by (user key ascending, sequence descending). */
  private int[] sortedOrder() {
    int n = count;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Most comparisons are decided by the 8 key bytes after the prefix all keys share, compared
    // as one unsigned number; only ties look at the keys themselves.
    sortPrefix = new long[n];
    for (int i = 0; i < n; i++) {
      long p = keyPos[i];
      byte[] a = keyArena.array(p);
      int from = (int) p + commonPrefix;
      int end = (int) p + keyLength[i];
      long x = 0;
      for (int j = 0; j < 8; j++) {
        x = (x << 8) | (from + j < end ? a[from + j] & 0xFF : 0);
      }
      sortPrefix[i] = x;
    }
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = compare(i - 1, i) < 0;
    }
    if (!sorted) {
      // A radix sort on the prefixes (linear, reads memory in order), then the full comparison
      // only inside runs of equal prefixes: keys longer than the prefix, or versions of one key.
      order = radixOrder(sortPrefix);
      int[] tmp = new int[n];
      java.util.function.IntBinaryOperator cmp = this::compare;
      for (int i = 0; i < n; ) {
        long x = sortPrefix[order[i]];
        int j = i + 1;
        while (j < n && sortPrefix[order[j]] == x) {
          j++;
        }
        if (j - i > 1) {
          EntrySort.mergeSort(order, tmp, i, j, cmp);
        }
        i = j;
      }
    }
    sortPrefix = null;
    return order;
  }

  /**
   * Entry numbers ordered by {@code keys} as unsigned numbers, ties in entry order: a stable LSD
   * radix sort, one byte per pass, skipping bytes that are equal in every entry.
   */
  static int[] radixOrder(long[] keys) {
    int n = keys.length;
    int[][] counts = new int[8][257];
    for (long k : keys) {
      for (int b = 0; b < 8; b++) {
        counts[b][(int) ((k >>> (8 * b)) & 0xFF) + 1]++;
      }
    }
    long[] k1 = keys.clone();
    int[] o1 = new int[n];
    for (int i = 0; i < n; i++) {
      o1[i] = i;
    }
    long[] k2 = new long[n];
    int[] o2 = new int[n];
    for (int b = 0; b < 8; b++) {
      int[] c = counts[b];
      if (n == 0 || c[(int) ((k1[0] >>> (8 * b)) & 0xFF) + 1] == n) {
        continue; // every entry has the same byte here
      }
      for (int i = 0; i < 256; i++) {
        c[i + 1] += c[i];
      }
      int shift = 8 * b;
      for (int i = 0; i < n; i++) {
        long k = k1[i];
        int at = c[(int) ((k >>> shift) & 0xFF)]++;
        k2[at] = k;
        o2[at] = o1[i];
      }
      long[] kt = k1;
      k1 = k2;
      k2 = kt;
      int[] ot = o1;
      o1 = o2;
      o2 = ot;
    }
    return o1;
  }

  /** Internal key order of entries {@code a} and {@code b}. */
  private int compare(int a, int b) {
    // Keys share their first commonPrefix bytes; a shorter key's missing bytes count as 0 here,
    // so different prefixes order the keys and equal ones need the full comparison.
    long xa = sortPrefix[a];
    long xb = sortPrefix[b];
    if (xa != xb) {
      return Long.compareUnsigned(xa, xb);
    }
    long pa = keyPos[a];
    long pb = keyPos[b];
    int oa = (int) pa;
    int ob = (int) pb;
    int c =
        Arrays.compareUnsigned(
            keyArena.array(pa), oa, oa + keyLength[a], keyArena.array(pb), ob, ob + keyLength[b]);
    return c != 0 ? c : Long.compare(seqs[b], seqs[a]);
  }

  /**
   * The entries of a frozen memtable in internal key order: position {@code i} in {@code [0,
   * size())} describes the i-th entry; keys and values are slices of internal arrays (read only).
   */
  final class Sorted {
    private final int[] order;

    private Sorted(int[] order) {
      this.order = order;
    }

    int size() {
      return order.length;
    }

    /** The array holding the key of entry {@code i}. */
    byte[] keyArray(int i) {
      return keyArena.array(keyPos[order[i]]);
    }

    int keyOffset(int i) {
      return (int) keyPos[order[i]];
    }

    int keyLength(int i) {
      return keyLength[order[i]];
    }

    /** The array holding the value of entry {@code i}. */
    byte[] valueArray(int i) {
      return valueArena.array(valuePos[order[i]]);
    }

    int valueOffset(int i) {
      return (int) valuePos[order[i]];
    }

    int valueLength(int i) {
      return valueLength[order[i]];
    }

    long seq(int i) {
      return seqs[order[i]];
    }

    ValueKind kind(int i) {
      return ValueKind.fromId(kinds[order[i]]);
    }

    long expiresAt(int i) {
      return expires == null ? 0 : expires[order[i]];
    }
  }
}
