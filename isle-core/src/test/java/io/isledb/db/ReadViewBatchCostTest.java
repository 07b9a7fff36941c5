package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import io.isledb.ScanSplit;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** What splits and multi-gets cost in storage requests, and their edge cases. */
class ReadViewBatchCostTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(4096);

  /** Cold, no disk cache, tables read by ranged reads. */
  private static final ReaderOptions COLD =
      ReaderOptions.defaults().withSmallTableBytes(0).withDiskCacheBytes(0);

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** One table of {@code n} keys (step {@code step}) with 100-byte values. */
  private void writeTable(IsleDB db, int from, int n, int step) {
    try (Writer w = db.openWriter(wo)) {
      byte[] v = new byte[100];
      for (int i = from; i < from + n * step; i += step) {
        ByteBuffer.wrap(v).putInt(i);
        w.put(key(i), v.clone());
      }
    }
  }

  private long requests(RequestStats before) {
    return store.stats().minus(before).total();
  }

  private static List<KV> all(ReadView v, List<ScanSplit> splits) {
    List<KV> out = new ArrayList<>();
    for (ScanSplit s : splits) {
      out.addAll(ReadViewBatchModelTestBase.scan(v, s.fromInclusive(), s.toExclusive()));
    }
    return out;
  }

  @Test
  void splittingCostsNoRequestAndSplitsInsideOverlappingTables() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 4000, 1);
      writeTable(db, 1000, 2000, 1); // overlaps the first
      writeTable(db, 3000, 3000, 1); // overlaps and extends past it
      try (Reader r = db.openReader(COLD);
          ReadView snap = r.snapshot()) {
        RequestStats before = store.stats();
        List<ScanSplit> splits = r.splits(16);
        List<ScanSplit> viewSplits = snap.splits(16);
        assertThat(requests(before)).as("requests to split").isZero();
        assertThat(r.stats().tableOpens()).as("tables opened to split").isZero();
        assertThat(splits).hasSize(16).isEqualTo(viewSplits);
        long total = splits.stream().mapToLong(ScanSplit::estimatedBytes).sum();
        for (ScanSplit s : splits) {
          assertThat(s.estimatedBytes()).as("split %s", s).isBetween(total / 32, total / 8);
        }
        List<KV> got = all(snap, splits);
        assertThat(got).hasSize(6000);
        assertThat(got.get(0).key()).isEqualTo(key(0));
        assertThat(got.get(5999).key()).isEqualTo(key(5999));
      }
    }
  }

  @Test
  void emptyDatabaseAndSingleKeyGiveOneSplit() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      try (Reader r = db.openReader(COLD)) {
        assertThat(r.splits(7)).containsExactly(new ScanSplit(r.version(), 0, null, null, 0, 0));
        Assertions.assertThatThrownBy(() -> r.splits(0))
            .isInstanceOf(IsleException.class)
            .hasMessageContaining("maxSplits");
      }
      writeTable(db, 5, 1, 1);
      writeTable(db, 5, 1, 1); // the same key again, in a second table
      try (Reader r = db.openReader(COLD)) {
        List<ScanSplit> splits = r.splits(20);
        assertThat(splits).hasSize(1);
        assertThat(splits.get(0).fromInclusive()).isNull();
        assertThat(splits.get(0).toExclusive()).isNull();
        assertThat(splits.get(0).estimatedEntries()).isEqualTo(2);
        assertThat(all(r, splits)).extracting(KV::key).containsExactly(key(5));
      }
      writeTable(db, 9, 1, 1); // a second single-key table: at most two splits
      try (Reader r = db.openReader(COLD)) {
        List<ScanSplit> splits = r.splits(20);
        assertThat(splits).hasSize(2);
        assertThat(all(r, splits)).extracting(KV::key).containsExactly(key(5), key(9));
      }
    }
  }

  @Test
  void multiGetReadsEachSharedBlockOnce() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 20_000, 1);
      // Keys sharing key(1000)'s data block: with a block cache, a get of each costs nothing more.
      List<byte[]> keys = new ArrayList<>();
      keys.add(key(1000));
      try (Reader probe = db.openReader(COLD)) {
        probe.get(key(1000));
        for (int j = 1001; keys.size() < 12; j++) {
          RequestStats before = store.stats();
          probe.get(key(j));
          if (requests(before) != 0) {
            break;
          }
          keys.add(key(j));
        }
      }
      assertThat(keys).as("keys in one block").hasSizeGreaterThanOrEqualTo(8);
      List<byte[]> asked = new ArrayList<>(keys);
      java.util.Collections.reverse(asked);
      asked.add(keys.get(3)); // a duplicate
      asked.add("key001000x".getBytes(StandardCharsets.UTF_8)); // absent, inside the block's range

      ReaderOptions noBlockCache = COLD.withBlockCacheBytes(0);
      long oneGet;
      try (Reader r = db.openReader(noBlockCache)) {
        RequestStats before = store.stats();
        r.get(key(1000));
        oneGet = requests(before);
      }
      assertThat(oneGet).as("a cold get: table tail + one block").isEqualTo(2);
      try (Reader r = db.openReader(noBlockCache)) {
        RequestStats before = store.stats();
        for (byte[] k : keys) {
          r.get(k);
        }
        assertThat(requests(before))
            .as("one get per key without a block cache")
            .isEqualTo(1 + keys.size());
      }
      try (Reader r = db.openReader(noBlockCache)) {
        RequestStats before = store.stats();
        List<Optional<byte[]>> got = r.getAll(asked);
        assertThat(requests(before))
            .as("multi-get of %d keys in one block", asked.size())
            .isEqualTo(oneGet);
        for (int i = 0; i < keys.size(); i++) {
          int want = 1000 + keys.size() - 1 - i;
          assertThat(got.get(i))
              .hasValueSatisfying(v -> assertThat(ByteBuffer.wrap(v).getInt()).isEqualTo(want));
        }
        assertThat(got.get(keys.size()))
            .hasValueSatisfying(v -> assertThat(ByteBuffer.wrap(v).getInt()).isEqualTo(1003));
        assertThat(got.get(keys.size() + 1)).isEmpty();
      }
      try (Reader r = db.openReader(COLD);
          ReadView snap = r.snapshot()) {
        ReaderStats before = r.stats();
        snap.getAll(asked);
        ReaderStats after = r.stats();
        assertThat(after.blockCacheMisses() - before.blockCacheMisses())
            .as("block cache misses of a multi-get in one block")
            .isEqualTo(1);
        assertThat(after.storage().minus(before.storage()).total()).isEqualTo(oneGet);
      }
    }
  }

  /** Keys with a long shared prefix, varying lengths, the empty key and 0xFF keys. */
  @Test
  void oddKeysAreCoveredExactlyOnce() {
    long seed = io.isledb.testing.Seeds.seed(77L);
    java.util.Random rnd = new java.util.Random(seed);
    java.util.TreeMap<byte[], byte[]> model =
        new java.util.TreeMap<>(io.isledb.util.Bytes.COMPARATOR);
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      for (int t = 0; t < 5; t++) {
        try (Writer w = db.openWriter(wo)) {
          for (int i = 0; i < 400; i++) {
            byte[] k;
            int r = rnd.nextInt(20);
            if (r == 0) {
              k = new byte[0];
            } else if (r == 1) {
              k = new byte[1 + rnd.nextInt(3)];
              java.util.Arrays.fill(k, (byte) 0xFF);
            } else {
              k = new byte[40 + rnd.nextInt(21)];
              java.util.Arrays.fill(k, 0, 40, (byte) 'p');
              for (int j = 40; j < k.length; j++) {
                k[j] = (byte) rnd.nextInt(256);
              }
            }
            byte[] v = {(byte) t, (byte) i};
            w.put(k, v);
            model.put(k, v);
          }
        }
      }
      try (Reader r = db.openReader(COLD)) {
        List<KV> expected = new ArrayList<>();
        model.forEach((k, v) -> expected.add(new KV(k, v)));
        for (int n = 1; n <= 20; n++) {
          List<ScanSplit> splits = r.splits(n);
          assertThat(splits).as("seed %d: N=%d", seed, n).hasSize(n);
          assertThat(all(r, splits))
              .as("seed %d: N=%d covers every key once", seed, n)
              .containsExactlyElementsOf(expected);
        }
      }
    }
  }
}
