package io.isledb.db;

import static io.isledb.db.RangeTailCostTest.BLOCK;
import static io.isledb.db.RangeTailCostTest.ENTRIES;
import static io.isledb.db.RangeTailCostTest.drain;
import static io.isledb.db.RangeTailCostTest.key;
import static io.isledb.db.RangeTailCostTest.metaRead;
import static io.isledb.db.RangeTailCostTest.onlyTable;
import static io.isledb.db.RangeTailCostTest.openRange;
import static io.isledb.db.RangeTailCostTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TableSettings;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.db.write.DbSstWriter;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.BlockCache;
import io.isledb.sst.TableProperties;
import io.isledb.sst.TableReader;
import io.isledb.storage.InMemoryObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A range-restricted tail of an external table ({@code SstWriter}, the Flink sink's case) reads
 * only the table's meta section and the blocks of the range, wherever the range lies: tables are
 * marked {@code seq-is-ordinal} (each entry's stored sequence number is its place in the table), so
 * no block before the range is read to count entries. Tables built before the mark still tail
 * through the counting path, with the same positions.
 */
class ExternalRangeTailCostTest {

  /** External tables of keys [from, to), one SST writer, committed; legacy = unmarked. */
  static List<SstHandle> build(IsleDB db, int from, int to, long seed, boolean legacy) {
    Random rnd = new Random(seed);
    SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults()
                .withSortedInput(true)
                .withTable(TableSettings.writerDefaults().withBlockSize(BLOCK)));
    if (legacy) {
      ((DbSstWriter) sw).useLegacyLocalSeqForTests();
    }
    for (int i = from; i < to; i++) {
      sw.put(key(i), value(rnd));
    }
    return sw.finish();
  }

  static TailPosition latest(IsleDB db) {
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      return t.latest();
    }
  }

  static TableProperties properties(ObjectStore store, SstMeta m) {
    String name = m.objectName();
    return TableReader.open(
            name,
            m.size(),
            (off, len) -> store.getRange(name, off, len).orElseThrow(),
            BlockCache.none(),
            0)
        .properties();
  }

  /**
   * Tails keys [from, to) of the only table after {@code start}: the changes, positions included,
   * are exactly the unrestricted tail's, and the read is bounded by the meta section plus the
   * range's blocks (read-ahead 0: one request per block).
   */
  static void assertRangeReadsOnlyItsBlocks(
      IsleDB db, ObjectStore store, TailPosition start, int from, int to) {
    SstMeta meta = onlyTable(store);
    List<Change> all;
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      all = drain(t, start, 5000);
    }
    assertThat(all).hasSize(ENTRIES);
    RequestStats before = store.stats();
    List<Change> got;
    try (TailingReader t = openRange(db, key(from), key(to), 0)) {
      got = drain(t, start, 1000);
    }
    RequestStats cost = store.stats().minus(before);
    assertThat(got).isEqualTo(all.subList(from, to));
    long rangeData = meta.tailOffset() * (to - from) / ENTRIES;
    assertThat(cost.bytesRead())
        .as("bytes read for keys [%d, %d) of %d: %s", from, to, ENTRIES, cost)
        .isLessThan(metaRead(meta) + rangeData + 2L * BLOCK + RangeTailCostTest.MANIFEST_SLACK)
        .isLessThan(meta.size() / 20);
    long blocks = rangeData / BLOCK + 3;
    assertThat(cost.count(RequestKind.GET_RANGE)).as("%s", cost).isBetween(2L, 1 + blocks);
  }

  @Test
  void onePercentInTheMiddleOfAnExternalTableReadsOnlyItsBlocks() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = latest(db);
      db.commit(build(db, 0, ENTRIES, 8, false), "one");
      assertThat(properties(store, onlyTable(store)).seqIsOrdinal()).isTrue();
      assertRangeReadsOnlyItsBlocks(db, store, start, 10_000, 10_200);
    }
  }

  @Test
  void onePercentAtTheEndOfAnExternalTableReadsOnlyItsBlocks() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = latest(db);
      db.commit(build(db, 0, ENTRIES, 8, false), "one");
      assertRangeReadsOnlyItsBlocks(db, store, start, ENTRIES - 200, ENTRIES);
    }
  }

  @Test
  void unmarkedExternalTableStillTailsByCountingTheBlocksBeforeTheRange() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = latest(db);
      db.commit(build(db, 0, ENTRIES, 8, true), "old");
      SstMeta meta = onlyTable(store);
      assertThat(properties(store, meta).seqIsOrdinal()).isFalse();
      assertThat(meta.minSeq()).isEqualTo(1);
      assertThat(meta.maxSeq()).isEqualTo(1);
      List<Change> all;
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        all = drain(t, start, 5000);
      }
      RequestStats before = store.stats();
      List<Change> got;
      try (TailingReader t = openRange(db, key(10_000), key(10_200), 0)) {
        got = drain(t, start, 1000);
      }
      RequestStats cost = store.stats().minus(before);
      assertThat(got).isEqualTo(all.subList(10_000, 10_200));
      // The counting path: the blocks before the range are read (about half the data), the
      // blocks after it are not.
      assertThat(cost.bytesRead())
          .as("%s", cost)
          .isGreaterThan(meta.tailOffset() * 45 / 100)
          .isLessThan(metaRead(meta) + meta.tailOffset() * 52 / 100);
    }
  }

  @Test
  void markedAndUnmarkedTablesInOneCommitKeepTheUnrestrictedPositions() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = latest(db);
      List<SstHandle> handles = new ArrayList<>();
      handles.addAll(build(db, 0, 3000, 1, true)); // an old table, then a new one over it
      handles.addAll(build(db, 1000, 5000, 2, false));
      handles.addAll(build(db, 2000, 2600, 3, true));
      db.commit(handles, "mixed");
      List<SstMeta> tables = new Manifest(store).loadLatest().allTables();
      assertThat(tables).hasSize(3);
      List<Change> all;
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        all = drain(t, start, 5000);
      }
      assertThat(all).hasSize(3000 + 4000 + 600);
      int[][] ranges = {{0, 10}, {900, 1100}, {2500, 2550}, {2990, 4000}, {4900, 6000}};
      for (int[] r : ranges) {
        List<Change> expected = new ArrayList<>();
        for (Change c : all) {
          if (java.util.Arrays.compare(c.key(), key(r[0])) >= 0
              && java.util.Arrays.compare(c.key(), key(r[1])) < 0) {
            expected.add(c);
          }
        }
        try (TailingReader t = openRange(db, key(r[0]), key(r[1]), 0)) {
          assertThat(drain(t, start, 97))
              .as("keys [%d, %d)", r[0], r[1])
              .isEqualTo(expected)
              .isNotEmpty();
        }
      }
    }
  }
}
