package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TableSettings;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a range-restricted tail reads: only the data blocks the range needs (found through the
 * table's index) plus the table's meta section, in ranged reads of at most the read-ahead size, and
 * never a whole table.
 */
class RangeTailCostTest {
  static final int ENTRIES = 20_000;
  static final int BLOCK = 4096;

  /** Slack for the manifest edits and the free slot read around the table reads. */
  static final long MANIFEST_SLACK = 16 << 10;

  static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(Random rnd) {
    byte[] v = new byte[100];
    rnd.nextBytes(v); // incompressible: the table is as large as its data
    return v;
  }

  static List<Change> drain(TailingReader t, TailPosition from, int page) {
    return TailingReaderTest.drain(t, from, page);
  }

  /**
   * What opening a table reads: its meta section, at least the reader's fixed first tail read (the
   * table path of every reader).
   */
  static long metaRead(SstMeta meta) {
    return Math.min(
        meta.size(),
        Math.max(
            meta.size() - meta.tailOffset(), io.isledb.sst.SstFormat.DEFAULT_TAIL_READ_LENGTH));
  }

  static TailingReader openRange(IsleDB db, byte[] from, byte[] to, int readahead) {
    return db.openTailingReader(
        TailingReaderOptions.defaults().withKeyRange(from, to).withReadaheadBytes(readahead));
  }

  /** The only table of the database. */
  static SstMeta onlyTable(ObjectStore store) {
    List<SstMeta> tables = new Manifest(store).loadLatest().allTables();
    assertThat(tables).hasSize(1);
    return tables.get(0);
  }

  /** One writer-flushed table of {@link #ENTRIES} keys; returns the position before it. */
  static TailPosition flushOneTable(IsleDB db) {
    Random rnd = new Random(7);
    TailPosition before;
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      before = t.latest();
    }
    try (Writer w =
        db.openWriter(
            WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(BLOCK))) {
      for (int i = 0; i < ENTRIES; i++) {
        w.put(key(i), value(rnd));
      }
      w.flush();
    }
    return before;
  }

  /** One external table of {@link #ENTRIES} keys, committed; returns the position before it. */
  static TailPosition commitOneExternalTable(IsleDB db) {
    Random rnd = new Random(8);
    TailPosition before;
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      before = t.latest();
    }
    SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults()
                .withSortedInput(true)
                .withTable(TableSettings.writerDefaults().withBlockSize(BLOCK)));
    for (int i = 0; i < ENTRIES; i++) {
      sw.put(key(i), value(rnd));
    }
    db.commit(sw.finish(), "one");
    return before;
  }

  /**
   * Tails keys [from, to) of the one table after {@code start}: the changes must be those keys and
   * the table reads at most its meta section, the data blocks overlapping the range (plus one block
   * at each end) and nothing of the rest. Returns the cost.
   */
  static RequestStats tailRange(
      IsleDB db, ObjectStore store, TailPosition start, int from, int to, int readahead) {
    SstMeta meta = onlyTable(store);
    long metaBytes = metaRead(meta);
    long data = meta.tailOffset();
    RequestStats before = store.stats();
    List<Change> got;
    try (TailingReader t = openRange(db, key(from), key(to), readahead)) {
      got = drain(t, start, 1000);
    }
    RequestStats cost = store.stats().minus(before);
    assertThat(got).hasSize(to - from);
    assertThat(got.get(0).key()).isEqualTo(key(from));
    long rangeData = data * (to - from) / ENTRIES;
    assertThat(cost.bytesRead())
        .as("bytes read for %d of %d keys: %s", to - from, ENTRIES, cost)
        .isLessThan(metaBytes + rangeData + 2L * BLOCK + readahead + MANIFEST_SLACK)
        .isLessThan(meta.size() / 10);
    return cost;
  }

  @Test
  void writerTableRangeOfOnePercentReadsAboutOnePercentOfItsBlocks() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = flushOneTable(db);
      RequestStats cost = tailRange(db, store, start, 10_000, 10_200, 0);
      long blocks = onlyTable(store).tailOffset() / 100 / BLOCK + 3;
      // One read of the meta section and one per overlapping block (read-ahead 0).
      assertThat(cost.count(RequestKind.GET_RANGE)).as("%s", cost).isBetween(2L, 1 + blocks);

      // The unrestricted tail reads the table whole, in one request, as before.
      RequestStats before = store.stats();
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        assertThat(drain(t, start, 5000)).hasSize(ENTRIES);
      }
      RequestStats whole = store.stats().minus(before);
      assertThat(whole.count(RequestKind.GET_RANGE)).isEqualTo(1);
      assertThat(whole.bytesRead()).isGreaterThanOrEqualTo(onlyTable(store).size());
    }
  }

  @Test
  void externalTableRangeAtTheStartReadsOnlyItsBlocks() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = commitOneExternalTable(db);
      tailRange(db, store, start, 0, 200, 0);
    }
  }

  @Test
  void externalTableRangeReadsNothingAfterTheRange() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = commitOneExternalTable(db);
      SstMeta meta = onlyTable(store);
      RequestStats before = store.stats();
      try (TailingReader t = openRange(db, key(5_000), key(5_200), 0)) {
        assertThat(drain(t, start, 1000)).hasSize(200);
      }
      // The blocks before the range are read to count their entries (a position counts every
      // change of the edit), the blocks after it are not.
      RequestStats cost = store.stats().minus(before);
      assertThat(cost.bytesRead())
          .as("%s", cost)
          .isLessThan(metaRead(meta) + meta.tailOffset() * 27 / 100);
    }
  }

  @Test
  void aTableMuchLargerThanTheReadaheadIsStreamedNotMaterialised() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = commitOneExternalTable(db);
      SstMeta meta = onlyTable(store);
      int readahead = 64 << 10;
      assertThat(meta.size()).isGreaterThan(20L * readahead);
      // Every key, but restricted: the streamed path.
      try (TailingReader t = openRange(db, key(0), null, readahead)) {
        RequestStats before = store.stats();
        TailBatch first = t.poll(start, 10);
        RequestStats cost = store.stats().minus(before);
        assertThat(first.changes()).hasSize(10);
        // The meta section and one read-ahead window: the rest of the table was not read.
        assertThat(cost.bytesRead())
            .as("%s", cost)
            .isLessThan(metaRead(meta) + readahead + BLOCK + MANIFEST_SLACK);
        List<Change> rest = drain(t, first.next(), 500);
        RequestStats all = store.stats().minus(before);
        assertThat(rest).hasSize(ENTRIES - 10);
        // Paging through the table read each byte once, in windows of the read-ahead size.
        assertThat(all.bytesRead()).isLessThan(meta.size() + metaRead(meta) + MANIFEST_SLACK);
        assertThat(all.count(RequestKind.GET_RANGE))
            .isGreaterThanOrEqualTo(meta.tailOffset() / (readahead + BLOCK));
      }
    }
  }
}
