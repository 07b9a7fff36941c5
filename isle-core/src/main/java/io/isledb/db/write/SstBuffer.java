package io.isledb.db.write;

import io.isledb.sst.ValueKind;
import java.util.Arrays;

/**
 * The unsorted input of a {@link DbSstWriter}: rows appended in arrival order to parallel arrays
 * and sorted once, when the buffer spills or the writer finishes, by a stable merge sort on a
 * key-prefix array (most comparisons read no key array); of the rows of one key only the last
 * written survives. This replaced a {@code TreeMap}, whose node allocation and O(log n) chain of
 * byte-array comparisons per row were 13% of the Flink SQL sink writer's samples.
 *
 * <p>Every row held counts in {@link #bytes()}, overwritten ones too (they stay in the arrays until
 * the next sort); {@link #sort()} drops them and the count falls to the live rows. The {@link
 * io.isledb.SstWriter} has no append, so no row is an {@code APPEND} operand that would have to
 * fold into the rows before it.
 */
final class SstBuffer {
  /**
   * Bytes counted per row beyond its key and value: the two array headers, the references, the
   * kind, expiry and key prefix, and the sort's two indexes.
   */
  static final int ROW_OVERHEAD = 64;

  private static final ValueKind[] KINDS = ValueKind.values();
  private static final int INITIAL = 16;

  /** Receives the live rows in key order. */
  interface RowSink {
    void add(byte[] key, ValueKind kind, long expiresAt, byte[] value);
  }

  private byte[][] keys = new byte[INITIAL][];
  private byte[][] values = new byte[INITIAL][];
  private long[] prefixes = new long[INITIAL];
  private long[] expiries = new long[INITIAL];
  private byte[] kinds = new byte[INITIAL];
  private int size;
  private long bytes;
  // The live rows in key order, valid while sorted (no row added since the last sort()).
  private int[] order = new int[0];
  private boolean sorted = true;

  /** Appends a row; the buffer keeps the arrays (no copy). */
  void add(byte[] key, ValueKind kind, long expiresAt, byte[] value) {
    if (size == keys.length) {
      int cap = size * 2;
      keys = Arrays.copyOf(keys, cap);
      values = Arrays.copyOf(values, cap);
      prefixes = Arrays.copyOf(prefixes, cap);
      expiries = Arrays.copyOf(expiries, cap);
      kinds = Arrays.copyOf(kinds, cap);
    }
    keys[size] = key;
    values[size] = value;
    prefixes[size] = prefix(key);
    expiries[size] = expiresAt;
    kinds[size] = (byte) kind.ordinal();
    size++;
    bytes += key.length + value.length + ROW_OVERHEAD;
    sorted = false;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The bytes of every row held (live or overwritten), {@link #ROW_OVERHEAD} per row included. */
  long bytes() {
    return bytes;
  }

  /**
   * Sorts the rows by key (stable: rows of one key stay in arrival order) and keeps the last row of
   * each key; {@link #bytes()} then counts the live rows only.
   */
  void sort() {
    if (sorted) {
      return;
    }
    int[] idx = new int[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    EntrySort.mergeSort(idx, new int[size], 0, size, this::compareRows);
    int n = 0;
    long live = 0;
    for (int i = 0; i < size; i++) {
      int r = idx[i];
      if (i + 1 < size && compareRows(r, idx[i + 1]) == 0) {
        continue; // a later write of the same key follows (stable order): this one is overwritten
      }
      idx[n++] = r;
      live += keys[r].length + values[r].length + ROW_OVERHEAD;
    }
    order = n == size ? idx : Arrays.copyOf(idx, n);
    bytes = live;
    sorted = true;
  }

  /**
   * Drops the overwritten rows from the arrays (after {@link #sort()}, the live rows in key order):
   * the buffer keeps only what a table would hold and fills again from there.
   */
  void compact() {
    sort();
    int n = order.length;
    int cap = Math.max(INITIAL, n * 2);
    byte[][] k = new byte[cap][];
    byte[][] v = new byte[cap][];
    long[] p = new long[cap];
    long[] e = new long[cap];
    byte[] t = new byte[cap];
    for (int i = 0; i < n; i++) {
      int r = order[i];
      k[i] = keys[r];
      v[i] = values[r];
      p[i] = prefixes[r];
      e[i] = expiries[r];
      t[i] = kinds[r];
      order[i] = i;
    }
    keys = k;
    values = v;
    prefixes = p;
    expiries = e;
    kinds = t;
    size = n;
  }

  /** Sorts if needed and hands the live rows to {@code sink} in key order. */
  void forEachLive(RowSink sink) {
    sort();
    for (int r : order) {
      sink.add(keys[r], KINDS[kinds[r]], expiries[r], values[r]);
    }
  }

  /** Empties the buffer and lets go of its rows. */
  void clear() {
    keys = new byte[INITIAL][];
    values = new byte[INITIAL][];
    prefixes = new long[INITIAL];
    expiries = new long[INITIAL];
    kinds = new byte[INITIAL];
    order = new int[0];
    size = 0;
    bytes = 0;
    sorted = true;
  }

  private int compareRows(int a, int b) {
    int c = Long.compareUnsigned(prefixes[a], prefixes[b]);
    if (c != 0) {
      return c;
    }
    byte[] x = keys[a];
    byte[] y = keys[b];
    if (x.length >= Long.BYTES && y.length >= Long.BYTES) {
      return Arrays.compareUnsigned(x, Long.BYTES, x.length, y, Long.BYTES, y.length);
    }
    return Arrays.compareUnsigned(x, y);
  }

  /**
   * The first 8 bytes of {@code key}, big-endian, zero-padded: unsigned order of prefixes agrees
   * with the key order wherever they differ (a shorter key padded with zeros sorts before any
   * longer key it is a prefix of, or ties with it and the full comparison decides).
   */
  static long prefix(byte[] key) {
    long p = 0;
    int n = Math.min(Long.BYTES, key.length);
    for (int i = 0; i < n; i++) {
      p |= (key[i] & 0xFFL) << (56 - 8 * i);
    }
    return p;
  }
}
