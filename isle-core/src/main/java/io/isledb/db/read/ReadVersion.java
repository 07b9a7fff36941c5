package io.isledb.db.read;

import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ScanSplit;
import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.Entry;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Reads of one immutable version. Point lookups visit L0 newest first, then sorted runs newest
 * first, consulting each table's range and bloom filter before any block read; the first version
 * found wins, and a deletion or an expired entry hides every older one. Scans merge all tables by
 * (key ascending, sequence descending).
 */
final class ReadVersion {
  private final ManifestState state;
  private final Tables tables;
  private final Blobs blobs;
  private final Clock clock;

  ReadVersion(ManifestState state, Tables tables, Blobs blobs, Clock clock) {
    this.state = state;
    this.tables = tables;
    this.blobs = blobs;
    this.clock = clock;
  }

  ManifestState state() {
    return state;
  }

  long version() {
    return state.seq();
  }

  Optional<byte[]> get(byte[] key) {
    // Indexed loops (the manifest's lists are array-backed): a lookup allocates no iterators.
    Appends appends = null;
    List<SstMeta> l0 = state.l0();
    for (int i = 0, n = l0.size(); i < n; i++) {
      SstMeta t = l0.get(i);
      if (t.covers(key)) {
        Entry e = lookup(t, key);
        if (e != null) {
          if (!e.kind().isAppend()) {
            return finish(appends, resolve(e.kind(), e.expiresAtMillis(), e.value(), t, key));
          }
          appends = appends == null ? new Appends() : appends;
          Optional<byte[]> base = versionsIn(t, key, e, appends);
          if (base != null) {
            return appends.resolve(base);
          }
        }
      }
    }
    List<SortedRun> runs = state.runs();
    for (int i = 0, n = runs.size(); i < n; i++) {
      SstMeta t = runs.get(i).find(key);
      if (t != null) {
        Entry e = lookup(t, key);
        if (e != null) {
          if (!e.kind().isAppend()) {
            return finish(appends, resolve(e.kind(), e.expiresAtMillis(), e.value(), t, key));
          }
          appends = appends == null ? new Appends() : appends;
          Optional<byte[]> base = versionsIn(t, key, e, appends);
          if (base != null) {
            return appends.resolve(base);
          }
        }
      }
    }
    return finish(appends, Optional.empty());
  }

  private static Optional<byte[]> finish(Appends appends, Optional<byte[]> base) {
    return appends == null ? base : appends.resolve(base);
  }

  /**
   * Reads the versions of {@code key} in table {@code t} below {@code first} (its newest there, an
   * append operand), newest first, into {@code appends} up to the first one that is not an operand:
   * that one's value (empty for a deletion or an expired entry), or null when the table holds only
   * operands of the key and older tables must be read on. Each step is a point lookup below the
   * previous version's sequence number (bloom filter, index, one cached block). A table keeps
   * several versions of a key when a memtable flush wrote them, or when a compaction could not fold
   * them (see FORMAT.md).
   */
  private Optional<byte[]> versionsIn(SstMeta t, byte[] key, Entry first, Appends appends) {
    io.isledb.sst.TableReader reader = tables.get(t).reader();
    for (Entry e = first; e != null; ) {
      if (!e.kind().isAppend()) {
        return resolve(e.kind(), e.expiresAtMillis(), e.value(), t, key);
      }
      appends.add(e.value());
      e = e.seq() == 0 ? null : reader.get(key, e.seq() - 1);
    }
    return null;
  }

  /** Many gets in one pass per table: see {@link MultiGet}. */
  List<Optional<byte[]>> getAll(List<byte[]> keys) {
    return MultiGet.getAll(this, tables, keys);
  }

  /** At most {@code maxSplits} key ranges of about equal size: see {@link SplitPlanner}. */
  List<ScanSplit> splits(int maxSplits) {
    return SplitPlanner.plan(state, maxSplits);
  }

  private Entry lookup(SstMeta t, byte[] key) {
    // TableReader.get checks the key range and the bloom filter before any block read.
    return tables.get(t).reader().get(key);
  }

  Optional<byte[]> resolve(ValueKind kind, long expiresAt, byte[] value, SstMeta t, byte[] key) {
    String table = t.id();
    if (kind.isTombstone()) {
      return Optional.empty();
    }
    if (kind.hasExpiry() && expiresAt <= clock.millis()) {
      return Optional.empty();
    }
    if (kind.isBlob()) {
      tables.counters.blobReads.increment();
      return Optional.of(
          blobs.read(
              BlobRef.decode(value, "table " + table),
              "key " + Bytes.describe(key) + " in table " + table,
              t.home()));
    }
    return Optional.of(value);
  }

  /**
   * The cursors of this version's tables that may hold keys of {@code [from, to)} (null:
   * unbounded), positioned at {@code from}, newest source first. A table or sorted run whose key
   * range misses the range gets no cursor: a short scan (one state's prefix) then seeks only where
   * its keys can be, and skips tables holding other key ranges (a restored or forked subtask's,
   * compacted runs).
   */
  List<Cursor> cursors(byte[] from, byte[] to, ScanOptions scan) {
    List<Cursor> cs = new ArrayList<>();
    try {
      List<SstMeta> l0 = state.l0();
      for (int i = 0, n = l0.size(); i < n; i++) {
        SstMeta t = l0.get(i);
        if (t.mayOverlap(from, to)) {
          cs.add(new TableCursor(tables.get(t), from, scan));
        }
      }
      List<SortedRun> runs = state.runs();
      for (int i = 0, n = runs.size(); i < n; i++) {
        SortedRun run = runs.get(i);
        if (runMayOverlap(run, from, to)) {
          cs.add(new RunCursor(run, tables, from, scan));
        }
      }
      return cs;
    } catch (RuntimeException e) {
      cs.forEach(Cursor::close);
      throw e;
    }
  }

  /**
   * Whether a table of {@code run} may hold keys of {@code [from, to)}: the first table ending at
   * or after {@code from} starts before {@code to} (its clip is not looked at: a clipped table's
   * successor may still overlap).
   */
  private static boolean runMayOverlap(SortedRun run, byte[] from, byte[] to) {
    List<SstMeta> ts = run.tables();
    int i = RunCursor.firstEndingAtOrAfter(ts, from);
    return i < ts.size() && (to == null || Bytes.compare(ts.get(i).smallestKey(), to) < 0);
  }

  KvIterator scan(byte[] from, byte[] to) {
    return scan(from, to, List.of());
  }

  /**
   * Like {@link #scan(byte[], byte[])} over {@code newer} (positioned at {@code from}, holding
   * newer sequence numbers: a writer's memtables) and this version's tables. Closes {@code newer}.
   */
  KvIterator scan(byte[] from, byte[] to, List<Cursor> newer) {
    if (from != null && to != null && Bytes.compare(from, to) >= 0) {
      newer.forEach(Cursor::close);
      return new Scan(null, to);
    }
    List<Cursor> all = new ArrayList<>(newer);
    try {
      all.addAll(cursors(from, to, ScanOptions.userScan()));
    } catch (RuntimeException e) {
      newer.forEach(Cursor::close);
      throw e;
    }
    return new Scan(new MergingCursor(all), to);
  }

  /** Newest visible version per key in [from, to). */
  private final class Scan implements KvIterator {
    private final MergingCursor merged;
    private final byte[] to;
    private final long now = clock.millis();
    private KV next;
    private boolean closed;

    Scan(MergingCursor merged, byte[] to) {
      this.merged = merged;
      this.to = to;
      advance();
    }

    private void advance() {
      next = null;
      if (merged == null || closed) {
        return;
      }
      while (merged.valid()) {
        byte[] key = merged.userKey();
        if (to != null && Bytes.compare(key, to) >= 0) {
          return;
        }
        ValueKind kind = merged.kind();
        long expiresAt = merged.expiresAt();
        if (kind.isAppend()) {
          next = new KV(key, appended(key));
          return;
        }
        if (kind.isTombstone() || (kind.hasExpiry() && expiresAt <= now)) {
          // Skip older versions of the same key (memtable runs jump over them).
          merged.skipPast(key);
          continue;
        }
        byte[] value = base(key, kind);
        merged.skipPast(key);
        next = new KV(key, value);
        return;
      }
    }

    /**
     * The value of the current entry, a visible PUT or blob reference (read here: a table cursor
     * builds its name as a new string, which per entry was a tenth of a short scan's time, so the
     * name is only asked for a blob).
     */
    private byte[] base(byte[] key, ValueKind kind) {
      byte[] value = merged.value();
      if (!kind.isBlob()) {
        return value;
      }
      String where = merged.where();
      tables.counters.blobReads.increment();
      return blobs.read(
          BlobRef.decode(value, where),
          "key " + Bytes.describe(key) + " in " + where,
          merged.home());
    }

    /**
     * Resolves {@code key}, whose newest version is the current entry, an append operand: reads its
     * versions down to the first that is not an operand, then moves past the key.
     */
    private byte[] appended(byte[] key) {
      Appends appends = new Appends();
      byte[] base = null;
      while (merged.valid()
          && java.util.Arrays.equals(
              merged.keyArray(), 0, merged.keyLength(), key, 0, key.length)) {
        ValueKind kind = merged.kind();
        if (kind.isAppend()) {
          appends.add(merged.value());
          merged.next();
          continue;
        }
        if (!kind.isTombstone() && !(kind.hasExpiry() && merged.expiresAt() <= now)) {
          base = base(key, kind);
        }
        break;
      }
      merged.skipPast(key);
      return appends.concat(base);
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KV next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KV out = next;
      advance();
      return out;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        next = null;
        if (merged != null) {
          merged.close();
        }
      }
    }
  }
}
