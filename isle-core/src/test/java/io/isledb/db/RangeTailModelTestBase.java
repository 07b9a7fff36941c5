package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TableSettings;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Range-restricted tailing readers against the unrestricted tail (the model): random commits from
 * the writer (puts, deletes, blob values, TTLs) and from SST writers (external tables), with
 * compactions in between; readers whose ranges partition the key space, polled with random page
 * sizes. Each restricted reader emits exactly the unrestricted tail restricted to its range (same
 * changes, same positions), the union of all of them merged by position is the unrestricted tail,
 * and a position saved by one restricted reader resumes a reader with another range.
 */
abstract class RangeTailModelTestBase {
  protected abstract ObjectStore openStore(String hint);

  /** Workload size: smaller on remote stores. */
  protected int rounds() {
    return 24;
  }

  private static final int KEYS = 300;

  static byte[] key(int i) {
    return String.format("k%04d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** Everything from {@code from}, polled in random page sizes. */
  static List<Change> drain(TailingReader t, TailPosition from, Random rnd) {
    List<Change> out = new ArrayList<>();
    TailPosition pos = from;
    while (true) {
      TailBatch batch = t.poll(pos, 1 + rnd.nextInt(40));
      out.addAll(batch.changes());
      if (batch.changes().isEmpty() && batch.next().equals(pos)) {
        return out;
      }
      pos = batch.next();
    }
  }

  static boolean in(byte[] key, byte[] from, byte[] to) {
    return (from == null || Bytes.compare(key, from) >= 0)
        && (to == null || Bytes.compare(key, to) < 0);
  }

  /** The order of changes in the commit order: by the position right after each. */
  static final Comparator<Change> BY_POSITION =
      Comparator.<Change>comparingLong(c -> c.next().version())
          .thenComparingLong(c -> c.next().offset());

  private static void writerRound(Writer w, Random rnd, int round) {
    int n = 1 + rnd.nextInt(120);
    for (int i = 0; i < n; i++) {
      byte[] k = key(rnd.nextInt(KEYS));
      int op = rnd.nextInt(10);
      if (op == 0) {
        w.delete(k);
      } else if (op == 1) {
        w.put(k, new byte[100 + rnd.nextInt(200)]); // a blob (threshold 96)
      } else if (op == 2) {
        w.put(k, ("ttl" + round + "." + i).getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));
      } else {
        w.put(k, ("v" + round + "." + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    w.flush();
  }

  private static List<SstHandle> externalRound(IsleDB db, Random rnd, int round) {
    List<SstHandle> hs = new ArrayList<>();
    for (int t = 0; t < 1 + rnd.nextInt(3); t++) {
      SstWriter sw =
          db.newSstWriter(
              SstWriterOptions.defaults()
                  .withTable(TableSettings.writerDefaults().withBlockSize(256)));
      TreeSet<Integer> keys = new TreeSet<>();
      int n = 1 + rnd.nextInt(150);
      for (int i = 0; i < n; i++) {
        keys.add(rnd.nextInt(KEYS));
      }
      for (int k : keys) {
        if (rnd.nextInt(8) == 0) {
          sw.delete(key(k));
        } else {
          sw.put(key(k), ("x" + round + "." + t + "." + k).getBytes(StandardCharsets.UTF_8));
        }
      }
      hs.addAll(sw.finish());
    }
    return hs;
  }

  @Test
  void restrictedReadersPartitionTheUnrestrictedTailExactly() {
    long seed = Seeds.seed(20261130);
    Random rnd = new Random(seed);
    try (ObjectStore store = openStore("range-tail");
        IsleDB db = IsleDB.open(store, DBOptions.defaults().withIdSource(Ids.seededSource(seed)))) {
      try (Writer w =
              db.openWriter(
                  WriterOptions.defaults()
                      .withFlushInterval(Duration.ZERO)
                      .withBlobThreshold(96)
                      .withBlockSize(256));
          Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(3))) {
        for (int round = 0; round < rounds(); round++) {
          if (rnd.nextInt(3) == 0) {
            db.commit(externalRound(db, rnd, round), "tok-" + round);
          } else {
            writerRound(w, rnd, round);
          }
          if (rnd.nextInt(4) == 0) {
            c.runOnce(); // compactions emit nothing
          }
        }
      }
      List<Change> all;
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        all = drain(t, TailPosition.start(), rnd);
      }
      assertThat(all).as("seed %d", seed).hasSizeGreaterThan(rounds() * 20);

      // Split points: the ranges partition the key space (open at both ends).
      TreeSet<Integer> cuts = new TreeSet<>();
      while (cuts.size() < 4) {
        cuts.add(1 + rnd.nextInt(KEYS - 1));
      }
      List<byte[]> bounds = new ArrayList<>();
      bounds.add(null);
      cuts.forEach(i -> bounds.add(key(i)));
      bounds.add(null);
      List<Change> union = new ArrayList<>();
      List<List<Change>> perRange = new ArrayList<>();
      for (int r = 0; r + 1 < bounds.size(); r++) {
        byte[] from = bounds.get(r);
        byte[] to = bounds.get(r + 1);
        List<Change> got;
        try (TailingReader t = open(db, from, to, rnd)) {
          got = drain(t, TailPosition.start(), rnd);
        }
        List<Change> want = all.stream().filter(ch -> in(ch.key(), from, to)).toList();
        assertThat(got).as("seed %d, range %d", seed, r).containsExactlyElementsOf(want);
        perRange.add(got);
        union.addAll(got);
      }
      union.sort(BY_POSITION);
      assertThat(union).as("seed %d: union merged by position", seed).isEqualTo(all);

      // A position saved by one restricted reader resumes a reader with another range (and the
      // unrestricted one): it is a point of the commit order, not of a range.
      for (int trial = 0; trial < 8; trial++) {
        int a = rnd.nextInt(perRange.size());
        List<Change> fromA = perRange.get(a);
        if (fromA.isEmpty()) {
          continue;
        }
        Change saved = fromA.get(rnd.nextInt(fromA.size()));
        TailPosition p = TailPosition.parse(saved.next().toString());
        int b = (a + 1 + rnd.nextInt(perRange.size() - 1)) % perRange.size();
        byte[] from = bounds.get(b);
        byte[] to = bounds.get(b + 1);
        List<Change> want =
            all.stream()
                .filter(ch -> BY_POSITION.compare(ch, saved) > 0 && in(ch.key(), from, to))
                .toList();
        try (TailingReader t = open(db, from, to, rnd)) {
          assertThat(drain(t, p, rnd))
              .as("seed %d: range %d resumed at %s saved by range %d", seed, b, p, a)
              .containsExactlyElementsOf(want);
        }
        try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
          assertThat(drain(t, p, rnd))
              .as("seed %d: unrestricted resumed at %s", seed, p)
              .containsExactlyElementsOf(
                  all.stream().filter(ch -> BY_POSITION.compare(ch, saved) > 0).toList());
        }
      }
    }
  }

  private static TailingReader open(IsleDB db, byte[] from, byte[] to, Random rnd) {
    int[] readaheads = {0, 512, 4096, TailingReaderOptions.DEFAULT_READAHEAD_BYTES};
    return db.openTailingReader(
        TailingReaderOptions.defaults()
            .withKeyRange(from, to)
            .withReadaheadBytes(readaheads[rnd.nextInt(readaheads.length)]));
  }
}
