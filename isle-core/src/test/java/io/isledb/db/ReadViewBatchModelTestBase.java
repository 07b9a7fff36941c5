package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.ScanSplit;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded model-based test of {@link ReadView#splits} and {@link ReadView#getAll} against a TreeMap
 * of every version: random puts (some with TTLs, some blob-sized), deletes, flushes, compactions
 * and clock moves. For every version, the splits for each N in 1..20 must cover the key space
 * exactly once (0 storage requests to make them), and a multi-get of present, deleted, expired and
 * missing keys (with duplicates) must answer like the model and like one get per key. Subclasses
 * choose the storage.
 */
public abstract class ReadViewBatchModelTestBase {
  @TempDir Path cacheDir;

  /** A fresh, empty store for one test. */
  protected abstract ObjectStore openStore(String hint);

  /** Flushed versions per run; slower storage uses fewer. */
  protected int versions() {
    return 40;
  }

  /**
   * The split counts N checked in every version (each N scans every key once, through its splits).
   * All of 1..20 by default.
   */
  protected int[] splitCounts() {
    return java.util.stream.IntStream.rangeClosed(1, 20).toArray();
  }

  private record Versioned(byte[] value, long expiresAt) {
    boolean visible(long now) {
      return expiresAt == 0 || expiresAt > now;
    }
  }

  /** Keys spread evenly over 4 bytes, so byte-space interpolation fits their distribution. */
  static byte[] key(int i, int keySpace) {
    return ByteBuffer.allocate(4).putInt((int) (i * (0xFFFF_FFFFL / keySpace))).array();
  }

  static List<KV> scan(ReadView v, byte[] from, byte[] to) {
    List<KV> out = new ArrayList<>();
    try (KvIterator it = v.scan(from, to)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void splitsAndMultiGetMatchTheModelInEveryVersion() {
    long seed = Seeds.seed(20261130L);
    Random rnd = new Random(seed);
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    DBOptions dbo = DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(seed));
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withBlobThreshold(512)
            .withBlockSize(512);
    int keySpace = 3000;
    String ctx = "seed " + seed;
    TreeMap<byte[], Versioned> model = new TreeMap<>(Bytes.COMPARATOR);
    try (ObjectStore store = openStore("views");
        IsleDB db = IsleDB.open(store, dbo);
        Writer writer = db.openWriter(wo);
        Compactor compactor =
            db.openCompactor(
                CompactorOptions.defaults()
                    .withL0Trigger(3)
                    .withTargetTableSize(24 * 1024)
                    .withBlockSize(512));
        Reader reader =
            // No disk cache: its background downloads of hot tables would be requests the
            // zero-request check of splitting could see.
            db.openReader(
                ReaderOptions.defaults()
                    .withCacheDir(cacheDir)
                    .withSmallTableBytes(0)
                    .withDiskCacheBytes(0))) {
      for (int version = 0; version < versions(); version++) {
        int ops = 20 + rnd.nextInt(300);
        for (int op = 0; op < ops; op++) {
          byte[] k = key(rnd.nextInt(keySpace), keySpace);
          int r = rnd.nextInt(100);
          if (r < 15) {
            writer.delete(k);
            model.remove(k);
          } else if (r < 25) {
            long ttl = 1 + rnd.nextInt(4000);
            byte[] v = ("ttl" + version + "/" + op).getBytes();
            writer.put(k, v, Duration.ofMillis(ttl));
            model.put(k, new Versioned(v, clock.millis() + ttl));
          } else {
            byte[] v = new byte[rnd.nextInt(20) == 0 ? 600 + rnd.nextInt(1500) : rnd.nextInt(60)];
            rnd.nextBytes(v);
            writer.put(k, v);
            model.put(k, new Versioned(v, 0));
          }
        }
        writer.flush();
        if (rnd.nextInt(3) == 0) {
          compactor.runOnce();
        }
        clock.advance(Duration.ofMillis(rnd.nextInt(1500)));
        reader.refresh();
        String at = ctx + ", version " + reader.version();
        try (ReadView view = reader.snapshot()) {
          checkSplits(store, view, model, clock.millis(), at, false);
          checkMultiGet(rnd, view, model, clock.millis(), keySpace, at);
        }
        checkMultiGet(rnd, reader, model, clock.millis(), keySpace, at + " (reader)");
      }
      // The data is now spread evenly (uniform keys, many tables): the size contract applies.
      try (ReadView view = reader.snapshot()) {
        checkSplits(store, view, model, clock.millis(), ctx + ", final", true);
      }
    }
  }

  private void checkSplits(
      ObjectStore store,
      ReadView view,
      TreeMap<byte[], Versioned> model,
      long now,
      String at,
      boolean sizes) {
    List<KV> expected = new ArrayList<>();
    model.forEach(
        (k, v) -> {
          if (v.visible(now)) {
            expected.add(new KV(k, v.value));
          }
        });
    if (sizes) {
      assertThat(expected)
          .as("%s: enough keys for the size contract up to N=5", at)
          .hasSizeGreaterThanOrEqualTo(500);
    }
    for (int n : splitCounts()) {
      RequestStats before = store.stats();
      List<ScanSplit> splits = view.splits(n);
      assertThat(store.stats().minus(before).total())
          .as("%s: storage requests to make %d splits", at, n)
          .isZero();
      assertThat(splits).as("%s: %d splits", at, n).hasSizeBetween(1, n);
      assertThat(splits.get(0).fromInclusive()).as("%s: first split unbounded below", at).isNull();
      assertThat(splits.get(splits.size() - 1).toExclusive())
          .as("%s: last split unbounded above", at)
          .isNull();
      List<KV> all = new ArrayList<>();
      List<Integer> counts = new ArrayList<>();
      for (int i = 0; i < splits.size(); i++) {
        ScanSplit s = splits.get(i);
        assertThat(s.version()).as("%s: split version", at).isEqualTo(view.version());
        assertThat(s.index()).as("%s: split index", at).isEqualTo(i);
        if (i > 0) {
          assertThat(s.fromInclusive())
              .as("%s: split %d of %d starts where the previous ends", at, i, n)
              .isEqualTo(splits.get(i - 1).toExclusive());
        }
        assertThat(ScanSplit.decode(s.encode())).as("%s: encoding round trip", at).isEqualTo(s);
        List<KV> part = scan(view, s.fromInclusive(), s.toExclusive());
        counts.add(part.size());
        all.addAll(part);
      }
      assertThat(all)
          .as("%s: the %d splits of N=%d cover every key exactly once", at, splits.size(), n)
          .containsExactlyElementsOf(expected);
      if (sizes && expected.size() >= 100L * n) {
        // docs/isle-core.md, "Scan splits": with keys spread evenly, N splits when each would
        // hold enough keys, and no split holds more than twice the keys of another.
        assertThat(splits).as("%s: N=%d on evenly spread data", at, n).hasSize(n);
        int min = counts.stream().mapToInt(Integer::intValue).min().orElseThrow();
        int max = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(max)
            .as("%s: keys per split for N=%d: %s", at, n, counts)
            .isLessThanOrEqualTo(2 * min);
      }
    }
  }

  private static void checkMultiGet(
      Random rnd,
      ReadView view,
      TreeMap<byte[], Versioned> model,
      long now,
      int keySpace,
      String at) {
    List<byte[]> keys = new ArrayList<>();
    int n = 1 + rnd.nextInt(60);
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(10);
      if (r == 0 && !keys.isEmpty()) {
        keys.add(keys.get(rnd.nextInt(keys.size())).clone()); // a duplicate
      } else if (r == 1) {
        keys.add(new byte[] {(byte) rnd.nextInt(256), 1, 2}); // never written: 3 bytes
      } else {
        keys.add(key(rnd.nextInt(keySpace), keySpace));
      }
    }
    List<Optional<byte[]>> got = view.getAll(keys);
    assertThat(got).as("%s: one answer per key", at).hasSize(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      byte[] k = keys.get(i);
      Versioned v = model.get(k);
      String what = at + ": getAll answer " + i + " for key " + HexFormat.of().formatHex(k);
      if (v != null && v.visible(now)) {
        assertThat(got.get(i)).as(what).hasValueSatisfying(b -> assertThat(b).isEqualTo(v.value));
      } else {
        assertThat(got.get(i)).as(what).isEmpty();
      }
      assertThat(got.get(i).orElse(null))
          .as(what + " equals get")
          .isEqualTo(view.get(k).orElse(null));
    }
  }
}
