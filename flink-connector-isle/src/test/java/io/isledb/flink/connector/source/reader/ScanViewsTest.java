package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.ScanSplit;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source reader task reads its bounded splits one after the other, each by a new split reader
 * (Flink replaces an idle fetcher): the version is loaded, and each table opened, once per task.
 */
class ScanViewsTest {
  private static final int TABLES = 3;
  private static final int SPLITS = 4;

  @TempDir Path dir;

  @Test
  void splitsOfOneTaskLoadTheVersionAndOpenEachTableOnce() throws Exception {
    TableLocation l = TableLocation.of(dir.toUri() + "table", Map.of());
    ScanConfig config = boundedConfig(l);
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        SharedTables.Lease lease = SharedTables.acquire(l)) {
      List<IsleSplit> splits = writeTables(db);
      SourceGauges gauges = new SourceGauges();
      AtomicLong scanned = new AtomicLong();

      // As the source reader does: one ScanViews for the task, a new split reader per split.
      RequestStats start = lease.db().store().stats();
      List<RequestStats> perSplit = new ArrayList<>();
      long rows;
      try (ScanViews views = new ScanViews(l, gauges)) {
        rows =
            readEach(
                splits, () -> new IsleSplitReader(config, gauges, scanned, views), lease, perSplit);
        assertThat(views.readerStats().tableOpens()).as("tables opened").isEqualTo(TABLES);
      }
      assertThat(rows).isEqualTo(TABLES * 100L);
      RequestStats first = perSplit.get(0);
      assertThat(first.count(RequestKind.GET)).as("the version's load: %s", first).isPositive();
      for (RequestStats later : perSplit.subList(1, SPLITS)) {
        assertThat(later.count(RequestKind.GET)).as("a later split: %s", later).isZero();
        assertThat(later.count(RequestKind.LIST_PAGE)).isZero();
      }
      RequestStats shared = lease.db().store().stats().minus(start);

      // Before: each split reader had a table reader of its own, loading the version again.
      List<RequestStats> unsharedPerSplit = new ArrayList<>();
      readEach(splits, () -> new IsleSplitReader(config), lease, unsharedPerSplit);
      long unsharedGets = 0;
      for (RequestStats s : unsharedPerSplit) {
        assertThat(s.count(RequestKind.GET)).as("a split reader of its own: %s", s).isPositive();
        unsharedGets += s.count(RequestKind.GET);
      }
      assertThat(shared.count(RequestKind.GET)).isEqualTo(first.count(RequestKind.GET));
      assertThat(unsharedGets).isGreaterThanOrEqualTo(SPLITS * (first.count(RequestKind.GET) - 1));
    }
  }

  /** The config of a bounded scan of {@code l} (full startup, 1 s poll, 1 h pins). */
  static ScanConfig boundedConfig(TableLocation l) {
    return new ScanConfig(
        l,
        true,
        StartupMode.FULL,
        null,
        null,
        null,
        Duration.ofSeconds(1),
        "c",
        Duration.ofHours(1),
        1);
  }

  /** Three overlapping tables of 100 keys each; the version cut into four splits. */
  private static List<IsleSplit> writeTables(IsleDB db) {
    long version;
    try (Writer w = db.openWriter(WriterOptions.defaults().withBlockSize(256))) {
      for (int t = 0; t < TABLES; t++) {
        for (int i = 0; i < 100; i++) {
          w.put(bytes(String.format("k%04d", i * TABLES + t)), bytes("value-" + i));
        }
        w.flush();
      }
      version = w.lastCommittedVersion();
    }
    List<IsleSplit> out = new ArrayList<>();
    try (io.isledb.Reader r = db.openReader(io.isledb.ReaderOptions.defaults());
        ReadView v = r.openVersion(version)) {
      for (ScanSplit s : v.splits(SPLITS)) {
        out.add(IsleSplit.bounded(out.size(), version, s.fromInclusive(), s.toExclusive()));
      }
    }
    assertThat(out).hasSize(SPLITS);
    return out;
  }

  /** Reads each split to its end with a new split reader; returns the rows read. */
  static long readEach(
      List<IsleSplit> splits,
      Supplier<IsleSplitReader> readers,
      SharedTables.Lease lease,
      List<RequestStats> perSplit) {
    long rows = 0;
    for (IsleSplit s : splits) {
      RequestStats before = lease.db().store().stats();
      IsleSplitReader reader = readers.get();
      try {
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(s)));
        boolean finished = false;
        while (!finished) {
          RecordsWithSplitIds<Fetched> batch = reader.fetch();
          while (batch.nextSplit() != null) {
            while (batch.nextRecordFromSplit() != null) {
              rows++;
            }
          }
          finished = batch.finishedSplits().contains(s.splitId());
        }
      } finally {
        reader.close();
      }
      perSplit.add(lease.db().store().stats().minus(before));
    }
    return rows;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
