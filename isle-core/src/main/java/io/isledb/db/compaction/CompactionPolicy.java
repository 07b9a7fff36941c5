package io.isledb.db.compaction;

import io.isledb.CompactorOptions;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the next merge compaction (universal style). Inputs are always whole units contiguous in
 * recency order, so the output run can take their place (docs/PROTOCOL.md, "Recency order").
 */
final class CompactionPolicy {
  private CompactionPolicy() {}

  /**
   * What to merge.
   *
   * @param l0 L0 tables (all of them, newest first) or empty
   * @param runs consecutive runs, newest first
   * @param bottommost whether the output becomes the oldest run
   */
  record Pick(List<SstMeta> l0, List<SortedRun> runs, boolean bottommost) {
    List<String> inputIds() {
      List<String> ids = new ArrayList<>();
      l0.forEach(t -> ids.add(t.id()));
      runs.forEach(r -> r.tables().forEach(t -> ids.add(t.id())));
      return ids;
    }

    long inputBytes() {
      long b = 0;
      for (SstMeta t : l0) {
        b += t.size();
      }
      for (SortedRun r : runs) {
        b += r.size();
      }
      return b;
    }

    int inputTables() {
      int n = l0.size();
      for (SortedRun r : runs) {
        n += r.tables().size();
      }
      return n;
    }
  }

  static Optional<Pick> pick(ManifestState s, CompactorOptions o, long now) {
    List<SortedRun> runs = s.runs();
    if (o.rewriteBorrowed() && s.allTables().stream().anyMatch(SstMeta::borrowed)) {
      // A fork: one merge of everything moves every borrowed table into its own prefix.
      return Optional.of(new Pick(s.l0(), runs, true));
    }
    Optional<Pick> garbage = garbage(s, o, now);
    if (garbage.isPresent()) {
      return garbage;
    }
    if (s.l0().size() >= o.l0Trigger()) {
      long total = 0;
      for (SstMeta t : s.l0()) {
        total += t.size();
      }
      // Take the newer runs along while they are of similar size, so L0 does not pile up tiny runs.
      List<SortedRun> taken = new ArrayList<>();
      for (SortedRun r : runs) {
        if (r.size() > (long) o.sizeRatio() * total) {
          break;
        }
        taken.add(r);
        total += r.size();
      }
      return Optional.of(new Pick(s.l0(), taken, taken.size() == runs.size()));
    }
    for (int start = 0; start + 1 < runs.size(); start++) {
      long total = runs.get(start).size();
      int end = start;
      for (int j = start + 1; j < runs.size(); j++) {
        if (runs.get(j).size() > (long) o.sizeRatio() * total) {
          break;
        }
        total += runs.get(j).size();
        end = j;
      }
      if (end > start) {
        return Optional.of(
            new Pick(List.of(), runs.subList(start, end + 1), end == runs.size() - 1));
      }
    }
    if (runs.size() > o.maxRuns()) {
      int best = 0;
      long bestSize = Long.MAX_VALUE;
      for (int i = 0; i + 1 < runs.size(); i++) {
        long size = runs.get(i).size() + runs.get(i + 1).size();
        if (size < bestSize) {
          bestSize = size;
          best = i;
        }
      }
      return Optional.of(
          new Pick(List.of(), runs.subList(best, best + 2), best + 2 == runs.size()));
    }
    return Optional.empty();
  }

  /**
   * Deletions and expired entries only free space when a merge reaches the oldest run, which the
   * size-ratio rule may never do (a small run of deletions next to a large old run). When they make
   * up {@code garbageRatio} of all entries, everything is merged into one bottommost run. The
   * estimate comes from table metadata: every tombstone, plus every expiring entry of a table whose
   * last expiry has passed.
   */
  private static Optional<Pick> garbage(ManifestState s, CompactorOptions o, long now) {
    long entries = 0;
    long garbage = 0;
    for (SstMeta t : s.allTables()) {
      entries += t.entries();
      garbage += t.tombstones();
      if (t.maxExpiresAt() != 0 && t.maxExpiresAt() <= now) {
        garbage += t.expiring();
      }
    }
    if (entries == 0 || garbage < o.garbageRatio() * entries) {
      return Optional.empty();
    }
    return Optional.of(new Pick(s.l0(), s.runs(), true));
  }
}
