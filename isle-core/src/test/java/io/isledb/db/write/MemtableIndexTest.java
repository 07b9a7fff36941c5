package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.db.read.Cursor;
import io.isledb.sst.Entry;
import io.isledb.sst.ValueKind;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The memtable's hash index and sorted runs against a model: {@link Memtable#find} is the newest
 * entry of each key, every {@link Memtable#snapshot()} taken between adds scans all entries so far
 * in internal key order, the same order as the flush's {@link Memtable#sorted()}.
 */
class MemtableIndexTest {
  private record Added(byte[] key, long seq, byte[] value) {}

  private static int internalOrder(Added a, Added b) {
    int c = Bytes.compare(a.key, b.key);
    return c != 0 ? c : Long.compare(b.seq, a.seq);
  }

  @Test
  void findAndSnapshotsMatchTheModel() {
    long seed = Seeds.seed(7L);
    Random rnd = new Random(seed);
    Memtable m = new Memtable(0);
    List<Added> added = new ArrayList<>();
    Map<String, Added> newest = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      // Keys of varied lengths sharing prefixes, so the index sees collisions and updates.
      byte[] key = ("k" + rnd.nextInt(3000) + (rnd.nextBoolean() ? "" : "/x")).getBytes();
      byte[] value = ("v" + i).getBytes();
      m.add(key, i + 1, ValueKind.PUT, 0, value, 0);
      Added a = new Added(key, i + 1, value);
      added.add(a);
      newest.put(new String(key), a);
      if (rnd.nextInt(500) == 0 || i == 19_999) {
        List<Added> expected = new ArrayList<>(added);
        expected.sort(MemtableIndexTest::internalOrder);
        List<Added> got = new ArrayList<>();
        try (Cursor c = m.snapshot().cursor(null, "test")) {
          for (; c.valid(); c.next()) {
            got.add(new Added(c.userKey(), c.seq(), c.value()));
          }
        }
        assertThat(got).as("seed %d, snapshot after %d adds", seed, i + 1).hasSize(expected.size());
        for (int j = 0; j < got.size(); j++) {
          assertThat(got.get(j).key()).isEqualTo(expected.get(j).key());
          assertThat(got.get(j).seq()).isEqualTo(expected.get(j).seq());
        }
        byte[] from = ("k" + rnd.nextInt(3000)).getBytes();
        try (Cursor c = m.snapshot().cursor(from, "test")) {
          Added first =
              expected.stream()
                  .filter(a2 -> Bytes.compare(a2.key(), from) >= 0)
                  .findFirst()
                  .orElse(null);
          assertThat(c.valid()).isEqualTo(first != null);
          if (first != null) {
            assertThat(c.userKey()).isEqualTo(first.key());
            assertThat(c.seq()).isEqualTo(first.seq());
          }
        }
      }
    }
    for (Added a : newest.values()) {
      Entry e = m.find(a.key());
      assertThat(e.seq()).as("newest of %s", new String(a.key())).isEqualTo(a.seq());
      assertThat(e.value()).isEqualTo(a.value());
    }
    assertThat(m.find("absent".getBytes())).isNull();
    added.sort(MemtableIndexTest::internalOrder);
    Memtable.Sorted sorted = m.sorted();
    for (int j = 0; j < added.size(); j++) {
      byte[] k =
          Arrays.copyOfRange(
              sorted.keyArray(j), sorted.keyOffset(j), sorted.keyOffset(j) + sorted.keyLength(j));
      assertThat(k).isEqualTo(added.get(j).key());
      assertThat(sorted.seq(j)).isEqualTo(added.get(j).seq());
    }
  }
}
