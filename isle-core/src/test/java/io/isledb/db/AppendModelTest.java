package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Append operands, model-based: seeded puts (some with a TTL), deletes and appends over a few keys,
 * interleaved with flushes, compactions (merging L0 into runs and bottommost), clock moves that
 * expire bases, and checks of every read path against a model of the expected values: the writer's
 * view (memtables over tables), a reader's get, getAll, full and ranged scans on the newest version
 * and on older versions (snapshots), over a small blob threshold so bases and folded values become
 * blobs while operands stay inline.
 */
class AppendModelTest {
  private static final int KEYS = 10;

  /** A key's expected state: its base (null: none) and the operands written after it. */
  private static final class Expected {
    byte[] base;
    long baseExpiresAt; // 0: never
    final List<byte[]> operands = new ArrayList<>();

    Expected copy() {
      Expected e = new Expected();
      e.base = base;
      e.baseExpiresAt = baseExpiresAt;
      e.operands.addAll(operands);
      return e;
    }

    Optional<byte[]> value(long now) {
      boolean live = base != null && (baseExpiresAt == 0 || baseExpiresAt > now);
      if (!live && operands.isEmpty()) {
        return Optional.empty();
      }
      StringBuilder sb = new StringBuilder(live ? s(base) : "");
      operands.forEach(o -> sb.append(s(o)));
      return Optional.of(b(sb.toString()));
    }
  }

  @TempDir Path cache;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] key(int k) {
    return b(String.format("key-%02d", k));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void everyReadResolvesOperandsAsTheModel(boolean newestVersionOnly) {
    long seed = Seeds.seed(newestVersionOnly ? 1515 : 1516);
    Random rnd = new Random(seed);
    String why = "seed " + seed + " (replay with -Disledb.test.seed=" + seed + ")";
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    DBOptions dbo = DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(seed));
    Map<Integer, Expected> model = new TreeMap<>();
    Map<Long, Map<Integer, Expected>> snapshots = new HashMap<>();
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withBlobThreshold(48)
                    .withNewestVersionOnly(newestVersionOnly));
        Reader r =
            db.openReader(
                ReaderOptions.defaults().withCacheDir(cache).withOffHeapBlockCache(seed % 2 == 0));
        ReadView view = w.view()) {
      for (int step = 0; step < 1000; step++) {
        int k = rnd.nextInt(KEYS);
        Expected e = model.computeIfAbsent(k, x -> new Expected());
        int op = rnd.nextInt(100);
        if (op < 50) {
          // Some operands are larger than the blob threshold: they stay inline.
          byte[] operand = b("|" + step + "x".repeat(rnd.nextInt(8) == 0 ? 60 : rnd.nextInt(4)));
          w.append(key(k), operand);
          e.operands.add(operand);
        } else if (op < 65) {
          byte[] v = b("P" + step + "y".repeat(rnd.nextInt(4) == 0 ? 70 : 1));
          if (rnd.nextInt(3) == 0) {
            long ttl = 1 + rnd.nextInt(5_000);
            w.put(key(k), v, Duration.ofMillis(ttl));
            e.baseExpiresAt = clock.millis() + ttl;
          } else {
            w.put(key(k), v);
            e.baseExpiresAt = 0;
          }
          e.base = v;
          e.operands.clear();
        } else if (op < 72) {
          w.delete(key(k));
          e.base = null;
          e.operands.clear();
        } else if (op < 82) {
          w.flush();
          Map<Integer, Expected> snap = new TreeMap<>();
          model.forEach((x, v) -> snap.put(x, v.copy()));
          snapshots.put(w.lastCommittedVersion(), snap);
        } else if (op < 87) {
          compact(db, 3);
        } else if (op < 89) {
          w.flush();
          compact(db, 1); // down to one run: bottommost compactions
        } else if (op < 93) {
          clock.advance(Duration.ofMillis(rnd.nextInt(3_000)));
        } else {
          long now = clock.millis();
          checkView("writer view at step " + step + ", " + why, view, model, now, rnd);
          r.refresh();
          try (ReadView head = r.openVersion(w.lastCommittedVersion())) {
            Map<Integer, Expected> flushed = snapshots.get(w.lastCommittedVersion());
            if (flushed != null) {
              checkView("reader at step " + step + ", " + why, head, flushed, now, rnd);
            }
          }
          if (!snapshots.isEmpty()) {
            List<Long> versions = new ArrayList<>(snapshots.keySet());
            long v = versions.get(rnd.nextInt(versions.size()));
            try (ReadView old = r.openVersion(v)) {
              checkView(
                  "version " + v + " at step " + step + ", " + why,
                  old,
                  snapshots.get(v),
                  now,
                  rnd);
            }
          }
        }
      }
      w.flush();
      compact(db, 1);
      r.refresh();
      try (ReadView end = r.snapshot()) {
        checkView("after a full compaction, " + why, end, model, clock.millis(), rnd);
      }
      checkView("writer view at the end, " + why, view, model, clock.millis(), rnd);
    }
  }

  /**
   * Runs every compaction due with an L0 trigger of {@code l0Trigger} (one compactor at a time).
   */
  private static void compact(IsleDB db, int l0Trigger) {
    try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(l0Trigger))) {
      while (c.runOnce().isPresent()) {
        // every compaction due
      }
    }
  }

  private static void checkView(
      String where, ReadView v, Map<Integer, Expected> model, long now, Random rnd) {
    List<byte[]> keys = new ArrayList<>();
    TreeMap<String, String> expected = new TreeMap<>();
    for (int k = 0; k < KEYS; k++) {
      Expected e = model.get(k);
      Optional<byte[]> want = e == null ? Optional.empty() : e.value(now);
      assertThat(v.get(key(k)).map(AppendModelTest::s))
          .as(where + ", get " + k)
          .isEqualTo(want.map(AppendModelTest::s));
      keys.add(key(k));
      if (want.isPresent()) {
        expected.put(s(key(k)), s(want.get()));
      }
    }
    List<Optional<byte[]>> all = v.getAll(keys);
    for (int k = 0; k < KEYS; k++) {
      assertThat(all.get(k).map(AppendModelTest::s))
          .as(where + ", getAll " + k)
          .isEqualTo(Optional.ofNullable(expected.get(s(key(k)))));
    }
    assertThat(scan(v, null, null)).as(where + ", full scan").isEqualTo(expected);
    int from = rnd.nextInt(KEYS);
    int to = from + 1 + rnd.nextInt(KEYS - from);
    assertThat(scan(v, key(from), key(to)))
        .as(where + ", scan [" + from + ", " + to + ")")
        .isEqualTo(expected.subMap(s(key(from)), s(key(to))));
  }

  private static TreeMap<String, String> scan(ReadView v, byte[] from, byte[] to) {
    TreeMap<String, String> out = new TreeMap<>();
    try (KvIterator it = v.scan(from, to)) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.put(s(kv.key()), s(kv.value()));
      }
    }
    return out;
  }
}
