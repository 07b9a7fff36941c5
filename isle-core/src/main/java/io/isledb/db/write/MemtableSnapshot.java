package io.isledb.db.write;

import io.isledb.db.read.Cursor;
import io.isledb.db.read.MergingCursor;
import io.isledb.sst.ValueKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first {@link #count} entries of a {@link Memtable}, read without locks: the memtable only
 * appends (new entries go past {@code count}, into these arrays or copies of them), so the entries
 * captured here never change. Made by {@link Memtable#snapshot()}, with the memtable's sorted
 * {@link Runs} for scans.
 */
final class MemtableSnapshot {
  private final int count;
  private final byte[][] keyChunks;
  private final long[] keyPos;
  private final int[] keyLength;
  private final byte[][] valueChunks;
  private final long[] valuePos;
  private final int[] valueLength;
  private final long[] seqs;
  private final byte[] kinds;
  private final long[] expires;
  private Runs runs = Runs.EMPTY;
  private long loads; // entries the cursors of this snapshot stepped onto (tests bound it)

  MemtableSnapshot(
      int count,
      byte[][] keyChunks,
      long[] keyPos,
      int[] keyLength,
      byte[][] valueChunks,
      long[] valuePos,
      int[] valueLength,
      long[] seqs,
      byte[] kinds,
      long[] expires) {
    this.count = count;
    this.keyChunks = keyChunks;
    this.keyPos = keyPos;
    this.keyLength = keyLength;
    this.valueChunks = valueChunks;
    this.valuePos = valuePos;
    this.valueLength = valueLength;
    this.seqs = seqs;
    this.kinds = kinds;
    this.expires = expires;
  }

  MemtableSnapshot withRuns(Runs r) {
    this.runs = r;
    return this;
  }

  int count() {
    return count;
  }

  /** Entries the cursors of this snapshot have stepped onto so far. */
  long loads() {
    return loads;
  }

  long seq(int e) {
    return seqs[e];
  }

  ValueKind kind(int e) {
    return ValueKind.fromId(kinds[e]);
  }

  long expiresAt(int e) {
    return expires == null ? 0 : expires[e];
  }

  /** A copy of entry {@code e}'s value. */
  byte[] value(int e) {
    long p = valuePos[e];
    int o = (int) p;
    return Arrays.copyOfRange(valueChunks[(int) (p >>> 32)], o, o + valueLength[e]);
  }

  /** Copies entry {@code e}'s key into {@code buf} (grown if short) at 0; returns the buffer. */
  private byte[] copyKey(int e, byte[] buf) {
    long p = keyPos[e];
    int n = keyLength[e];
    byte[] b = buf.length >= n ? buf : new byte[Math.max(n, buf.length * 2)];
    System.arraycopy(keyChunks[(int) (p >>> 32)], (int) p, b, 0, n);
    return b;
  }

  /** Internal key order: user key ascending, then sequence descending. */
  private int compare(int a, int b) {
    long pa = keyPos[a];
    long pb = keyPos[b];
    int oa = (int) pa;
    int ob = (int) pb;
    int c =
        Arrays.compareUnsigned(
            keyChunks[(int) (pa >>> 32)],
            oa,
            oa + keyLength[a],
            keyChunks[(int) (pb >>> 32)],
            ob,
            ob + keyLength[b]);
    return c != 0 ? c : Long.compare(seqs[b], seqs[a]);
  }

  private int compareKey(int e, byte[] key) {
    long p = keyPos[e];
    int o = (int) p;
    return Arrays.compareUnsigned(
        keyChunks[(int) (p >>> 32)], o, o + keyLength[e], key, 0, key.length);
  }

  /**
   * Sorted runs of entry numbers covering the first {@code covered} entries of a memtable, largest
   * (oldest) first. Immutable: {@link #extend} returns new runs.
   */
  static final class Runs {
    static final Runs EMPTY = new Runs(List.of(), 0);

    final List<int[]> runs;
    final int covered;

    private Runs(List<int[]> runs, int covered) {
      this.runs = runs;
      this.covered = covered;
    }

    /**
     * These runs plus one covering the entries of {@code s} not covered yet. The new run is merged
     * with the last one while that is not longer than it, so run sizes at least halve from first to
     * last: O(log n) runs, each entry merged O(log n) times.
     */
    Runs extend(MemtableSnapshot s) {
      int n = s.count;
      if (n == covered) {
        return this;
      }
      int[] run = new int[n - covered];
      for (int i = 0; i < run.length; i++) {
        run[i] = covered + i;
      }
      s.sort(run);
      List<int[]> out = new ArrayList<>(runs);
      while (!out.isEmpty() && out.get(out.size() - 1).length <= run.length) {
        run = s.merge(out.remove(out.size() - 1), run);
      }
      out.add(run);
      return new Runs(List.copyOf(out), n);
    }

    /** These runs merged into one (the same entries), smallest first: about two moves per entry. */
    Runs consolidate(MemtableSnapshot s) {
      if (runs.size() <= 1) {
        return this;
      }
      int[] run = runs.get(runs.size() - 1);
      for (int r = runs.size() - 2; r >= 0; r--) {
        run = s.merge(runs.get(r), run);
      }
      return new Runs(List.of(run), covered);
    }
  }

  /** How many sorted runs a cursor of this snapshot seeks in and merges (tests bound it). */
  int runCount() {
    return runs.runs.size();
  }

  private void sort(int[] a) {
    EntrySort.mergeSort(a, new int[a.length], 0, a.length, this::compare);
  }

  private int[] merge(int[] x, int[] y) {
    int[] out = new int[x.length + y.length];
    EntrySort.merge(x, 0, x.length, y, 0, y.length, out, 0, this::compare);
    return out;
  }

  /** A cursor over every entry in internal key order from {@code from} (null: the first). */
  Cursor cursor(byte[] from, String where) {
    List<Cursor> cs = new ArrayList<>(runs.runs.size());
    for (int[] run : runs.runs) {
      cs.add(new RunEntries(run, from, where));
    }
    return new MergingCursor(cs);
  }

  /** One sorted run as a cursor. */
  private final class RunEntries implements Cursor {
    private final int[] run;
    private final String where;
    private int i;
    private byte[] key = new byte[32];

    RunEntries(int[] run, byte[] from, String where) {
      this.run = run;
      this.where = where;
      if (from != null) { // the first entry whose key is at or after from
        int lo = 0;
        int hi = run.length;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (compareKey(run[mid], from) < 0) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        i = lo;
      }
      load();
    }

    private void load() {
      if (i < run.length) {
        loads++;
        key = copyKey(run[i], key);
      }
    }

    /**
     * Jumps past the versions of {@code key}, contiguous in a sorted run: a galloping search from
     * the current entry, O(log versions) comparisons and one key copy however many versions a key
     * rewritten again and again has here.
     */
    @Override
    public void skipPast(byte[] skipped) {
      if (i >= run.length || compareKey(run[i], skipped) != 0) {
        return;
      }
      int lo = i; // at skipped
      int step = 1;
      int hi = i + 1;
      while (hi < run.length && compareKey(run[hi], skipped) == 0) {
        lo = hi;
        step <<= 1;
        hi = lo + step;
      }
      hi = Math.min(hi, run.length); // run[hi] is past skipped, or hi is the end
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (compareKey(run[mid], skipped) == 0) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      i = hi;
      load();
    }

    @Override
    public boolean valid() {
      return i < run.length;
    }

    @Override
    public void next() {
      i++;
      load();
    }

    @Override
    public byte[] userKey() {
      return Arrays.copyOf(key, keyLength());
    }

    @Override
    public byte[] keyArray() {
      return key;
    }

    @Override
    public int keyLength() {
      return keyLength[run[i]];
    }

    @Override
    public long seq() {
      return seqs[run[i]];
    }

    @Override
    public ValueKind kind() {
      return MemtableSnapshot.this.kind(run[i]);
    }

    @Override
    public long expiresAt() {
      return MemtableSnapshot.this.expiresAt(run[i]);
    }

    @Override
    public byte[] value() {
      return MemtableSnapshot.this.value(run[i]);
    }

    @Override
    public String where() {
      return where;
    }

    @Override
    public void close() {}
  }
}
