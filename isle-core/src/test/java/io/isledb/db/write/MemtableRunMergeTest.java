package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.db.read.Cursor;
import io.isledb.sst.ValueKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scans of a memtable that interleaved writes left in many sorted runs: once the scans have paid
 * about as much for the extra runs as merging them costs, the runs become one, so a read-mostly
 * phase seeks one run per scan instead of O(log n) for ever; the merged runs list the same entries.
 */
class MemtableRunMergeTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every entry of a fresh cursor on {@code s}, as key@seq. */
  private static List<String> entries(MemtableSnapshot s) {
    List<String> out = new ArrayList<>();
    try (Cursor c = s.cursor(null, "test")) {
      while (c.valid()) {
        out.add(new String(c.userKey(), StandardCharsets.UTF_8) + "@" + c.seq());
        c.next();
      }
    }
    return out;
  }

  /** Entries a cursor loads when it is positioned: one per sorted run it seeks in. */
  private static long seekLoads(MemtableSnapshot s) {
    long before = s.loads();
    try (Cursor c = s.cursor(b("k"), "test")) {
      return s.loads() - before;
    }
  }

  @Test
  void readOnlyScansConvergeToOneRunWithTheSameEntries() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    Memtable m = new Memtable(0);
    long seq = 0;
    // Interleaved writes and scans (a state backend's list updates): many small sorted runs.
    for (int round = 0; round < 300; round++) {
      for (int i = 0; i < 10; i++) {
        m.add(b("k" + r.nextInt(500)), ++seq, ValueKind.PUT, 0, b("v" + seq), 0);
      }
      m.snapshot();
    }
    MemtableSnapshot first = m.snapshot();
    List<String> expected = entries(first);
    assertThat(expected).as("seed " + seed).hasSize(3000);
    int scans = 0;
    MemtableSnapshot s = first;
    while (s.runCount() > 1 && scans < 1000) {
      s = m.snapshot();
      scans++;
    }
    // Each read-only scan adds runs - 1 >= 1 to the debt; the merge comes at debt x 8 >= 3000.
    assertThat(s.runCount()).as("runs after %d read-only scans, seed %d", scans, seed).isEqualTo(1);
    assertThat(scans).isLessThanOrEqualTo(3000 / Memtable.CONSOLIDATE_WEIGHT);
    assertThat(seekLoads(s)).isEqualTo(1);
    assertThat(entries(s)).as("seed " + seed).isEqualTo(expected);
    // A snapshot taken before the merge still reads its own runs.
    assertThat(entries(first)).isEqualTo(expected);
  }

  @Test
  void interleavedWritesAndScansKeepFewRuns() {
    Memtable m = new Memtable(0);
    long seq = 0;
    int maxRuns = 0;
    for (int round = 0; round < 2000; round++) {
      for (int i = 0; i < 10; i++) {
        m.add(b("k" + (round * 7 + i) % 997), ++seq, ValueKind.PUT, 0, b("v"), 0);
      }
      maxRuns = Math.max(maxRuns, m.snapshot().runCount());
    }
    // Runs at least halve in size from first to last: about log2(20000 / 10) + 1 at most.
    assertThat(maxRuns).isLessThanOrEqualTo(12);
  }
}
