package io.isledb.db.tail;

import io.isledb.db.read.Tables;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import io.isledb.sst.TableProperties;
import io.isledb.sst.TableReader;
import io.isledb.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The changes of one tailed {@code add} edit whose keys lie in a range, in the order of the
 * unrestricted tail, each with its rank: its index among all the edit's changes, which is the
 * offset of a {@link io.isledb.TailPosition}. Ranks do not depend on the range, so a position from
 * one range-restricted reader means the same point of the commit order to every other reader.
 *
 * <p>How a rank is found without reading the whole edit, and what stays in memory:
 *
 * <ul>
 *   <li>Writer-flushed tables whose sequence numbers are dense over the edit (the manifest's entry
 *       count equals {@code maxSeq - minSeq + 1}; every flush is): the rank is {@code seq -
 *       minSeq}. Only the data blocks overlapping the range are read (found through each table's
 *       index); the edit's in-range entries are held and sorted by sequence number, because a table
 *       is in key order and the tail is in sequence order.
 *   <li>External tables (all entries of a table share its global sequence number, tables follow
 *       each other in commit order, entries in key order): the rank is the entries of the tables
 *       before plus the entry's index in its table, so entries are streamed in key order, one table
 *       at a time, with one read-ahead buffer. A table outside the range is not read at all. A
 *       table marked {@code seq-is-ordinal} (every table {@code SstWriter} builds now) stores each
 *       entry's place in the table as its sequence number, so only its blocks overlapping the range
 *       are read, like a writer table's. In an unmarked table (built before the mark), the blocks
 *       before the range are read to count their entries (not kept); in either, the blocks after
 *       the range are not read.
 *   <li>Anything else (mixed or non-dense edits) and unrestricted readers: every entry is read and
 *       sorted, the rank is its index.
 * </ul>
 */
abstract class TailEditCursor implements AutoCloseable {
  /** The number of changes of the whole edit (all keys). */
  final long total;

  private TailEditCursor(long total) {
    this.total = total;
  }

  abstract boolean hasNext();

  /** The rank of the entry {@link #next()} returns. */
  abstract long nextRank();

  abstract TailEntry next();

  /**
   * Moves to the first in-range change at rank {@code offset} or later; false if that is behind the
   * cursor (open a new one instead).
   */
  abstract boolean seek(long offset);

  @Override
  public void close() {}

  /** A key range {@code [from, to)}; null bounds are open. */
  record KeyRange(byte[] from, byte[] to) {
    static final KeyRange ALL = new KeyRange(null, null);

    boolean isAll() {
      return from == null && to == null;
    }

    boolean contains(byte[] key) {
      return (from == null || Bytes.compare(key, from) >= 0)
          && (to == null || Bytes.compare(key, to) < 0);
    }

    boolean overlaps(SstMeta m) {
      return (to == null || Bytes.compare(m.smallestKey(), to) < 0)
          && (from == null || Bytes.compare(m.largestKey(), from) >= 0);
    }

    boolean beforeEnd(TableIterator it) {
      return to == null || it.compareUserKey(to) < 0;
    }
  }

  /** A cursor over the in-range changes of {@code tables} (one accepted add edit, edit order). */
  static TailEditCursor open(List<SstMeta> tables, KeyRange range, Tables open, int readahead) {
    long total = 0;
    long minSeq = Long.MAX_VALUE;
    long maxSeq = Long.MIN_VALUE;
    boolean writerOnly = true;
    boolean externalOnly = true;
    for (SstMeta m : tables) {
      total += m.entries();
      minSeq = Math.min(minSeq, m.minSeq());
      maxSeq = Math.max(maxSeq, m.maxSeq());
      writerOnly &= m.globalSeq() == 0;
      externalOnly &= m.globalSeq() != 0;
    }
    ScanOptions scan = ScanOptions.sequential(readahead);
    if (tables.isEmpty() || range.isAll()) {
      return Sorted.byIndex(total, tables, range, open, scan);
    }
    if (writerOnly && total == maxSeq - minSeq + 1) {
      return Sorted.bySeq(total, minSeq, tables, range, open, scan);
    }
    if (externalOnly) {
      return new Streamed(total, tables, range, open, scan);
    }
    return Sorted.byIndex(total, tables, range, open, scan);
  }

  /** The in-range entries of the edit, held in memory, with their ranks. */
  private static final class Sorted extends TailEditCursor {
    private final long[] ranks;
    private final List<TailEntry> entries;
    private int i;

    private Sorted(long total, long[] ranks, List<TailEntry> entries) {
      super(total);
      this.ranks = ranks;
      this.entries = entries;
    }

    /** Reads every entry; the rank is the index in sequence order (ties: table, key order). */
    static Sorted byIndex(
        long total, List<SstMeta> tables, KeyRange range, Tables open, ScanOptions scan) {
      List<TailEntry> all = new ArrayList<>();
      for (SstMeta m : tables) {
        read(m, KeyRange.ALL, open, scan, all);
      }
      all.sort(Comparator.comparingLong(TailEntry::seq)); // stable: ties keep table and key order
      List<TailEntry> kept = new ArrayList<>();
      long[] ranks = new long[all.size()];
      for (int r = 0; r < all.size(); r++) {
        if (range.contains(all.get(r).key())) {
          ranks[kept.size()] = r;
          kept.add(all.get(r));
        }
      }
      return new Sorted(total, Arrays.copyOf(ranks, kept.size()), kept);
    }

    /** Reads only the blocks overlapping the range; the rank is {@code seq - minSeq}. */
    static Sorted bySeq(
        long total,
        long minSeq,
        List<SstMeta> tables,
        KeyRange range,
        Tables open,
        ScanOptions scan) {
      List<TailEntry> kept = new ArrayList<>();
      for (SstMeta m : tables) {
        if (range.overlaps(m)) {
          read(m, range, open, scan, kept);
        }
      }
      kept.sort(Comparator.comparingLong(TailEntry::seq));
      long[] ranks = new long[kept.size()];
      for (int r = 0; r < ranks.length; r++) {
        ranks[r] = kept.get(r).seq() - minSeq;
      }
      return new Sorted(total, ranks, kept);
    }

    private static void read(
        SstMeta m, KeyRange range, Tables open, ScanOptions scan, List<TailEntry> out) {
      try {
        TableIterator it = open.get(m).reader().iterator(scan);
        if (range.from() == null) {
          it.seekToFirst();
        } else {
          it.seek(range.from());
        }
        for (; it.valid() && range.beforeEnd(it); it.next()) {
          out.add(TailEntry.of(it, m));
        }
      } finally {
        open.invalidate(m.id()); // read once: do not keep its bytes or index
      }
    }

    @Override
    boolean hasNext() {
      return i < entries.size();
    }

    @Override
    long nextRank() {
      return ranks[i];
    }

    @Override
    TailEntry next() {
      return entries.get(i++);
    }

    @Override
    boolean seek(long offset) {
      int lo = 0;
      int hi = ranks.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (ranks[mid] < offset) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      i = lo;
      return true;
    }
  }

  /** External tables streamed in commit order, then key order: one table open at a time. */
  private static final class Streamed extends TailEditCursor {
    private final List<SstMeta> ordered;
    private final long[] bases;
    private final KeyRange range;
    private final Tables open;
    private final ScanOptions scan;
    private int t = -1;
    private TableIterator it;
    private long ordinal;
    private boolean numbered;
    private long floor;
    private TailEntry pending;
    private long pendingRank;
    private boolean needAdvance = true;

    Streamed(long total, List<SstMeta> tables, KeyRange range, Tables open, ScanOptions scan) {
      super(total);
      this.ordered = new ArrayList<>(tables);
      this.ordered.sort(Comparator.comparingLong(SstMeta::globalSeq)); // stable: edit order
      this.bases = new long[ordered.size()];
      for (int k = 1; k < bases.length; k++) {
        bases[k] = bases[k - 1] + ordered.get(k - 1).entries();
      }
      this.range = range;
      this.open = open;
      this.scan = scan;
    }

    private void advance() {
      pending = null;
      while (true) {
        if (it == null) {
          if (++t >= ordered.size()) {
            return;
          }
          SstMeta m = ordered.get(t);
          if (!range.overlaps(m) || bases[t] + m.entries() <= floor) {
            continue; // nothing of it is emitted: not read at all
          }
          TableReader reader = open.get(m).reader();
          it = reader.iterator(scan);
          numbered = numbered(m, reader.properties());
          if (numbered && range.from() != null) {
            it.seek(range.from()); // the place in the table is the stored seq: nothing to count
          } else {
            it.seekToFirst(); // the entries before the range are counted: they have ranks too
          }
          ordinal = 0;
        } else {
          it.next();
          ordinal++;
        }
        if (!it.valid() || !range.beforeEnd(it)) {
          closeTable();
          continue;
        }
        long rank = bases[t] + (numbered ? it.seq() - 1 : ordinal);
        if (rank >= floor && (range.from() == null || it.compareUserKey(range.from()) >= 0)) {
          pending = TailEntry.of(it, ordered.get(t));
          pendingRank = rank;
          return;
        }
      }
    }

    /**
     * Whether the table's stored sequence numbers are the places of its entries: marked by its
     * writer, and the manifest's bounds agree (an unmarked or inconsistent table is counted).
     */
    private static boolean numbered(SstMeta m, TableProperties p) {
      return p.seqIsOrdinal() && m.minSeq() == 1 && m.maxSeq() == m.entries();
    }

    private void closeTable() {
      it = null;
      open.invalidate(ordered.get(t).id());
    }

    @Override
    boolean hasNext() {
      if (needAdvance) {
        needAdvance = false;
        advance();
      }
      return pending != null;
    }

    @Override
    long nextRank() {
      hasNext();
      return pendingRank;
    }

    @Override
    TailEntry next() {
      hasNext();
      TailEntry e = pending;
      floor = pendingRank + 1;
      pending = null;
      needAdvance = true;
      return e;
    }

    @Override
    boolean seek(long offset) {
      if (offset < floor) {
        return false;
      }
      floor = offset;
      if (pending != null && pendingRank < floor) {
        needAdvance = true;
      }
      return true;
    }

    @Override
    public void close() {
      if (it != null) {
        closeTable();
      }
    }
  }
}
