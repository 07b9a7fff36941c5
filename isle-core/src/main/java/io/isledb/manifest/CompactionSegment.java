package io.isledb.manifest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where compaction inputs sit. Units are the L0 tables (each its own unit) followed by the runs;
 * inputs must cover whole units, contiguous, and if they touch L0 they must include its oldest
 * table (so every remaining L0 table stays newer than the output run).
 */
record CompactionSegment(int firstL0, int lastL0, int firstRun, int lastRun, String problem) {
  /** Where {@code inputs} sit among {@code l0} and {@code runs} (newest first), or the problem. */
  static CompactionSegment of(List<SstMeta> l0, List<SortedRun> runs, List<String> inputs) {
    Set<String> in = new HashSet<>(inputs);
    if (in.size() != inputs.size()) {
      return new CompactionSegment(-1, -1, -1, -1, "duplicate compaction inputs");
    }
    int covered = 0;
    int firstL0 = -1;
    int lastL0 = -1;
    for (int i = 0; i < l0.size(); i++) {
      if (in.contains(l0.get(i).id())) {
        if (firstL0 < 0) {
          firstL0 = i;
        } else if (lastL0 != i - 1) {
          return new CompactionSegment(-1, -1, -1, -1, "compaction L0 inputs are not contiguous");
        }
        lastL0 = i;
        covered++;
      }
    }
    if (firstL0 >= 0 && lastL0 != l0.size() - 1) {
      return new CompactionSegment(
          -1, -1, -1, -1, "compaction L0 inputs do not include the oldest L0 table");
    }
    int firstRun = -1;
    int lastRun = -1;
    for (int r = 0; r < runs.size(); r++) {
      SortedRun run = runs.get(r);
      int hit = 0;
      for (SstMeta t : run.tables()) {
        if (in.contains(t.id())) {
          hit++;
        }
      }
      if (hit == 0) {
        continue;
      }
      if (hit != run.tables().size()) {
        return new CompactionSegment(
            -1, -1, -1, -1, "compaction covers only part of run " + run.id());
      }
      if (firstRun < 0) {
        firstRun = r;
      } else if (lastRun != r - 1) {
        return new CompactionSegment(-1, -1, -1, -1, "compaction input runs are not contiguous");
      }
      lastRun = r;
      covered += hit;
    }
    if (covered != in.size()) {
      return new CompactionSegment(-1, -1, -1, -1, "compaction inputs are no longer all live");
    }
    if (firstL0 >= 0 && firstRun > 0) {
      return new CompactionSegment(
          -1, -1, -1, -1, "compaction skips newer runs between L0 and its runs");
    }
    return new CompactionSegment(firstL0, lastL0, firstRun, lastRun, null);
  }

  /**
   * Why a bottommost compaction of this segment is refused: a run lies below its inputs (put back
   * by a rollback after the compaction was planned), so the deletions and expired entries it
   * dropped would let that run's older values reappear. Null if nothing is below.
   */
  String runBelow(List<SortedRun> runs) {
    int below = firstRun >= 0 ? lastRun + 1 : 0;
    if (below >= runs.size()) {
      return null;
    }
    return "bottommost compaction (it dropped deletions and expired entries) has run "
        + runs.get(below).id()
        + " below its inputs (restored by a rollback after it was planned?)";
  }
}
