package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.Entry;
import io.isledb.sst.SortedLookup;
import io.isledb.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Many point lookups in one version: the distinct keys are sorted once, then the sources are
 * visited in {@link ReadVersion#get} order (L0 newest first, then sorted runs newest first), each
 * table getting the still-unanswered keys in its range in one ascending pass ({@link
 * SortedLookup}); the first entry found for a key wins, exactly as for a single get.
 */
final class MultiGet {
  private final ReadVersion version;
  private final Tables tables;
  private final byte[][] keys; // distinct, ascending
  private final Entry[] found;
  private final SstMeta[] where;
  private int[] pending; // slots of keys not answered yet, ascending
  private int pendingCount;

  private MultiGet(ReadVersion version, Tables tables, byte[][] keys) {
    this.version = version;
    this.tables = tables;
    this.keys = keys;
    this.found = new Entry[keys.length];
    this.where = new SstMeta[keys.length];
    this.pending = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      pending[i] = i;
    }
    this.pendingCount = keys.length;
  }

  static List<Optional<byte[]>> getAll(ReadVersion v, Tables tables, List<byte[]> keys) {
    if (keys == null) {
      throw IsleException.invalidArgument("getAll needs a non-null list of keys");
    }
    byte[][] sorted = keys.toArray(new byte[0][]);
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i] == null) {
        throw IsleException.invalidArgument("getAll: key " + i + " is null");
      }
    }
    Arrays.sort(sorted, Bytes.COMPARATOR);
    int distinct = 0;
    for (byte[] k : sorted) {
      if (distinct == 0 || Bytes.compare(sorted[distinct - 1], k) != 0) {
        sorted[distinct++] = k;
      }
    }
    MultiGet g = new MultiGet(v, tables, Arrays.copyOf(sorted, distinct));
    g.run(v.state());
    // One answer per distinct key (a blob is read once); duplicates share it.
    List<Optional<byte[]>> answers = new ArrayList<>(distinct);
    for (int slot = 0; slot < distinct; slot++) {
      answers.add(g.answer(slot));
    }
    List<Optional<byte[]>> out = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      out.add(answers.get(Arrays.binarySearch(g.keys, k, Bytes.COMPARATOR)));
    }
    return out;
  }

  private void run(ManifestState state) {
    for (SstMeta t : state.l0()) {
      // L0 tables overlap: an older one must not see the keys a newer one answered.
      lookup(t, 0, pendingCount);
      compact();
    }
    for (SortedRun run : state.runs()) {
      // Pending keys ascend and the run's tables are disjoint and ordered: one merge-like walk.
      int start = 0;
      for (SstMeta t : run.tables()) {
        while (start < pendingCount && Bytes.compare(keys[pending[start]], t.smallestKey()) < 0) {
          start++;
        }
        int end = start;
        while (end < pendingCount && Bytes.compare(keys[pending[end]], t.largestKey()) <= 0) {
          end++;
        }
        if (end > start) {
          lookup(t, start, end);
        }
        start = end;
      }
      compact();
    }
  }

  /** Looks up {@code pending[from, to)} in table {@code t}, recording what it holds. */
  private void lookup(SstMeta t, int from, int to) {
    // Only keys inside the table's range: a table none of them can hold is not even opened.
    int[] slots = new int[to - from];
    int n = 0;
    for (int j = from; j < to; j++) {
      if (t.covers(keys[pending[j]])) {
        slots[n++] = pending[j];
      }
    }
    if (n == 0) {
      return;
    }
    SortedLookup.get(tables.get(t).reader(), keys, slots, n, found);
    for (int j = 0; j < n; j++) {
      int s = slots[j];
      if (found[s] != null && where[s] == null) {
        where[s] = t;
      }
    }
  }

  /** Drops answered keys from the pending list. */
  private void compact() {
    int n = 0;
    for (int j = 0; j < pendingCount; j++) {
      if (found[pending[j]] == null) {
        pending[n++] = pending[j];
      }
    }
    pendingCount = n;
  }

  private Optional<byte[]> answer(int slot) {
    Entry e = found[slot];
    if (e == null) {
      return Optional.empty();
    }
    if (e.kind().isAppend()) {
      // Operands need the key's older versions, in this table and below: a single get reads them.
      return version.get(keys[slot]);
    }
    return version.resolve(e.kind(), e.expiresAtMillis(), e.value(), where[slot], keys[slot]);
  }
}
