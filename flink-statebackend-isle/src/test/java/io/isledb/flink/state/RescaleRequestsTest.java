package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rescale 2 -> 3 costs each new subtask a few small requests per source database until its first
 * state access (issue 13: O(number of source databases) small requests), counted by kind so that a
 * request added to the path shows. The old subtasks write a manifest log longer than a snapshot
 * interval, as a running job does.
 */
class RescaleRequestsTest {
  /**
   * Requests of one new subtask restoring from one source, until its first state access: the
   * source's settings, its pin read (the checkpoint's version, state included) and copied, its
   * metadata record (one table's tail and one block); on the new database its settings, manifest,
   * fence, fork edit, then the writer's open and the first read's table.
   */
  static final long ONE_SOURCE_BOUND = 34;

  /** The same for the middle subtask, whose key groups come from both old subtasks. */
  static final long TWO_SOURCES_BOUND = 40;

  /** The first completed checkpoint's own requests: its table, its edit and its pin. */
  static final long FIRST_CHECKPOINT_BASE = 3;

  /**
   * Per source database, at the first completed checkpoint of a subtask that retires none: the scan
   * for abandoned forks, a LIST of the source's pins and a GET per fork pin (here the three new
   * subtasks' pins at most). Before, also a look whether the source is still there (on file:// a
   * LIST per manifest folder) and a GET of each checkpoint pin of the old job.
   */
  static final long SCAN_PER_SOURCE = 4;

  /**
   * Per source database the subtask responsible for it also retires: the look whether it is there,
   * the retirement (a manifest load and one create) and its GC's open (a manifest load).
   */
  static final long RETIRE_PER_SOURCE = 30;

  @TempDir Path dir;

  @Test
  void eachNewSubtaskOfARescaleCostsFewRequestsPerSource() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, RescaleByForkTest.quiet())) {
      KeyGroupRange left = KeyGroupRange.of(0, 63);
      KeyGroupRange right = KeyGroupRange.of(64, 127);
      IsleKeyedStateBackend<Integer> l = kit.create(IntSerializer.INSTANCE, left, List.of());
      IsleKeyedStateBackend<Integer> r = kit.create(IntSerializer.INSTANCE, right, List.of());
      List<KeyedStateHandle> handles = List.of();
      for (int cp = 1; cp <= 12; cp++) {
        for (int k = cp * 20; k < cp * 20 + 20; k++) {
          RescaleByForkTest.put(
              left.contains(RescaleByForkTest.keyGroup(k)) ? l : r,
              k,
              RescaleByForkTest.valueOf(k));
        }
        handles = List.of(BackendTestKit.snapshot(l, cp), BackendTestKit.snapshot(r, cp));
      }
      l.dispose();
      r.dispose();

      List<String> report = new ArrayList<>();
      List<IsleKeyedStateBackend<Integer>> parts = new ArrayList<>();
      List<Integer> sources = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        KeyGroupRange range =
            KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                BackendTestKit.KEY_GROUPS, 3, i);
        List<KeyedStateHandle> given = new ArrayList<>();
        for (KeyedStateHandle h : handles) {
          KeyedStateHandle part = h.getIntersection(range);
          if (part != null) {
            given.add(part);
          }
        }
        IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, range, given);
        int key = ownedKey(range);
        assertThat(RescaleByForkTest.get(b, key)).isEqualTo(RescaleByForkTest.valueOf(key));
        RequestStats restore = b.db().stats();
        report.add(range.prettyPrintInterval() + " restore from " + given.size() + ": " + restore);
        parts.add(b);
        sources.add(given.size());
      }
      List<RequestStats> restores = new ArrayList<>();
      List<RequestStats> firsts = new ArrayList<>();
      List<ObjectStore> sourceStores = new CopyOnWriteArrayList<>();
      TestHooks.sourceStores =
          st -> {
            sourceStores.add(st);
            return st;
          };
      try {
        for (int i = 0; i < 3; i++) {
          IsleKeyedStateBackend<Integer> b = parts.get(i);
          RequestStats before = b.db().stats();
          restores.add(before);
          int key = ownedKey(b.getKeyGroupRange());
          RescaleByForkTest.put(b, key, "changed");
          sourceStores.clear();
          BackendTestKit.snapshot(b, 100);
          b.notifyCheckpointComplete(100);
          // The scan for abandoned forks and the retirement of the old databases go through
          // stores of their own.
          RequestStats first = b.db().stats().minus(before);
          for (ObjectStore st : sourceStores) {
            first = plus(first, st.stats());
          }
          firsts.add(first);
          report.add(b.getKeyGroupRange().prettyPrintInterval() + " first checkpoint: " + first);
        }
      } finally {
        TestHooks.reset();
        for (IsleKeyedStateBackend<Integer> b : parts) {
          b.dispose();
        }
      }
      System.out.println("rescale 2 -> 3 requests per new subtask: " + report);
      for (int i = 0; i < 3; i++) {
        long bound = sources.get(i) == 1 ? ONE_SOURCE_BOUND : TWO_SOURCES_BOUND;
        assertThat(restores.get(i).total())
            .as("requests of subtask %s until its first state access: %s", i, report)
            .isLessThanOrEqualTo(bound);
        long retiring = retiredBy(parts.get(i).getKeyGroupRange());
        assertThat(firsts.get(i).total())
            .as("requests of subtask %s's first completed checkpoint: %s", i, report)
            .isLessThanOrEqualTo(
                FIRST_CHECKPOINT_BASE
                    + SCAN_PER_SOURCE * sources.get(i)
                    + RETIRE_PER_SOURCE * retiring);
      }
    }
  }

  /**
   * How many old databases (0-63, 64-127) a new subtask retires: those whose first key group it
   * holds.
   */
  private static long retiredBy(KeyGroupRange range) {
    return (range.contains(0) ? 1 : 0) + (range.contains(64) ? 1 : 0);
  }

  private static RequestStats plus(RequestStats a, RequestStats b) {
    java.util.Map<RequestStats.RequestKind, Long> sum =
        new java.util.EnumMap<>(RequestStats.RequestKind.class);
    for (RequestStats.RequestKind k : RequestStats.RequestKind.values()) {
      sum.put(k, a.count(k) + b.count(k));
    }
    return new RequestStats(
        sum,
        a.bytesRead() + b.bytesRead(),
        a.bytesWritten() + b.bytesWritten(),
        java.util.Map.of());
  }

  /** A key written by the old subtasks whose key group is in {@code range}. */
  private static int ownedKey(KeyGroupRange range) {
    for (int k = 20; ; k++) {
      if (range.contains(RescaleByForkTest.keyGroup(k))) {
        return k;
      }
    }
  }
}
