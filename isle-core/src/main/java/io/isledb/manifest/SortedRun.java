package io.isledb.manifest;

import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.List;

/**
 * A sorted run: tables with disjoint key ranges, ordered by key. All versions of one user key live
 * in one table of a run. Runs are ordered by recency in {@link ManifestState#runs()}.
 *
 * @param id unique within the database, assigned by the compactor
 * @param tables ordered by smallest key, ranges disjoint
 */
@Internal
public record SortedRun(long id, List<SstMeta> tables) {
  public SortedRun {
    tables = List.copyOf(tables);
  }

  /** Total bytes of the run's tables. */
  public long size() {
    long s = 0;
    for (SstMeta t : tables) {
      s += t.size();
    }
    return s;
  }

  /** The table whose range covers {@code key}, or null. Binary search over the tables. */
  public SstMeta find(byte[] key) {
    int lo = 0;
    int hi = tables.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      SstMeta t = tables.get(mid);
      if (Bytes.compare(key, t.smallestKey()) < 0) {
        hi = mid - 1;
      } else if (Bytes.compare(key, t.largestKey()) > 0) {
        lo = mid + 1;
      } else {
        return t;
      }
    }
    return null;
  }

  /** Checks that tables are in key order with disjoint ranges; returns a problem or null. */
  public String checkOrder() {
    for (int i = 1; i < tables.size(); i++) {
      if (Bytes.compare(tables.get(i - 1).largestKey(), tables.get(i).smallestKey()) >= 0) {
        return "run "
            + id
            + ": table "
            + tables.get(i).id()
            + " overlaps or precedes "
            + tables.get(i - 1).id();
      }
    }
    return null;
  }
}
