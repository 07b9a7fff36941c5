package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.sst.Entry;
import io.isledb.sst.ValueKind;
import io.isledb.testing.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The memtable indexes lazily ({@link Memtable#add} only appends, {@link Memtable#find} catches the
 * index up first): finds interleaved with adds see every add so far, and concurrent first finds on
 * a memtable nothing is added to any more (a frozen one) agree.
 */
class MemtableLazyIndexTest {
  private static byte[] key(int k) {
    return ("key" + k).getBytes();
  }

  @Test
  void findsInterleavedWithAddsSeeEveryAdd() {
    long seed = Seeds.seed(11L);
    Random rnd = new Random(seed);
    Memtable m = new Memtable(0);
    Map<Integer, Long> newest = new HashMap<>();
    for (int i = 1; i <= 20_000; i++) {
      int k = rnd.nextInt(2000);
      m.add(key(k), i, ValueKind.PUT, 0, ("v" + i).getBytes(), 0);
      newest.put(k, (long) i);
      for (int r = rnd.nextInt(3); r > 0; r--) {
        int q = rnd.nextInt(2500);
        Entry e = m.find(key(q));
        Long want = newest.get(q);
        assertThat(e == null ? null : e.seq())
            .as("seed %d, key %d after %d adds", seed, q, i)
            .isEqualTo(want);
      }
    }
  }

  @Test
  void concurrentFindsOnAFrozenMemtableAgree() throws Exception {
    Memtable m = new Memtable(0);
    int keys = 50_000;
    for (int i = 0; i < 2 * keys; i++) {
      m.add(key(i % keys), i + 1, ValueKind.PUT, 0, ("v" + i).getBytes(), 0);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int start = t * 997;
        done.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int j = 0; j < keys; j++) {
                    int k = (start + j) % keys;
                    Entry e = m.find(key(k));
                    if (e != null && e.seq() == keys + k + 1) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get()).isEqualTo(keys);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
