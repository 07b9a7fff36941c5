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
 * A scan of the writer's memtable steps over the versions of a key rewritten again and again
 * without visiting each one: {@link Cursor#skipPast} jumps within each sorted run.
 */
class MemtableVersionSkipTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void skippingAKeyWithManyVersionsVisitsFewEntries() {
    Memtable m = new Memtable(0);
    long seq = 0;
    // Interleaved writes and scans, as a state backend does: several sorted runs.
    for (int round = 0; round < 8; round++) {
      for (int v = 0; v < 500; v++) {
        m.add(b("a"), ++seq, ValueKind.PUT, 0, b("v" + seq), 0);
      }
      m.snapshot();
    }
    m.add(b("b"), ++seq, ValueKind.PUT, 0, b("last"), 0);
    MemtableSnapshot s = m.snapshot();
    try (Cursor c = s.cursor(null, "test")) {
      assertThat(c.userKey()).isEqualTo(b("a"));
      assertThat(c.seq()).isEqualTo(seq - 1); // the newest version comes first
      c.skipPast(b("a"));
      assertThat(c.valid()).isTrue();
      assertThat(c.userKey()).isEqualTo(b("b"));
    }
    // Before: one step per version (4,000 loads); now a few per run.
    assertThat(s.loads()).isLessThan(50);
  }

  @Test
  void skipPastLandsWhereSteppingDoes() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    Memtable m = new Memtable(0);
    long seq = 0;
    for (int i = 0; i < 3000; i++) {
      m.add(b("k" + r.nextInt(40)), ++seq, ValueKind.PUT, 0, b("v" + seq), 0);
      if (r.nextInt(100) == 0) {
        m.snapshot();
      }
    }
    MemtableSnapshot s = m.snapshot();
    List<String> stepped = new ArrayList<>();
    try (Cursor c = s.cursor(null, "test")) {
      while (c.valid()) {
        byte[] k = c.userKey();
        stepped.add(new String(k, StandardCharsets.UTF_8) + "@" + c.seq());
        c.next();
        while (c.valid() && java.util.Arrays.equals(c.userKey(), k)) {
          c.next();
        }
      }
    }
    List<String> skipped = new ArrayList<>();
    try (Cursor c = s.cursor(null, "test")) {
      while (c.valid()) {
        byte[] k = c.userKey();
        skipped.add(new String(k, StandardCharsets.UTF_8) + "@" + c.seq());
        c.skipPast(k);
      }
    }
    assertThat(skipped).as("seed " + seed).isEqualTo(stepped).hasSize(40);
  }
}
