package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a bounded scan costs on file:// and on the real S3 server: it streams the tables it meets
 * with ranged reads and read-ahead, copies nothing to local disk (no whole-table downloads into the
 * disk cache, which a one-pass scan would write once and never read again), and a 1% key-range scan
 * reads only the one table and the blocks its range meets.
 */
class ScanReadCostsTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final int TABLES = 4;
  private static final int ROWS_PER_TABLE = 8000;
  private static final long SEED = 20261201L;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"file", "s3a"})
  void boundedScansStreamTablesAndARangeReadsOnlyItsBlocks(String scheme) throws Exception {
    Map<String, String> options = new HashMap<>();
    String path;
    if (scheme.equals("file")) {
      path = dir.toUri() + "table";
    } else {
      path = S3.uri() + "/" + S3.newPrefix("scan-costs");
      S3.hadoopConf().forEach((k, v) -> options.put("hadoop." + k, v));
    }
    TableLocation l = TableLocation.of(path, options);
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix(), l.hadoopConf());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        SharedTables.Lease lease = SharedTables.acquire(l)) {
      long version = writeTables(db);
      long tableBytes = 0;
      long largest = 0;
      int tables = 0;
      for (Iterator<ObjectInfo> it = store.list("sstable/"); it.hasNext(); tables++) {
        long size = it.next().size();
        tableBytes += size;
        largest = Math.max(largest, size);
      }
      assertThat(tables).as("one table per flush").isEqualTo(TABLES);
      assertThat(largest).as("tables small enough to be downloaded whole").isLessThan(1 << 20);

      Cost full = scan(l, lease, IsleSplit.bounded(0, version, null, null));
      assertThat(full.rows).isEqualTo(TABLES * ROWS_PER_TABLE);
      assertNothingLocal(full);
      assertThat(full.reader.tableOpens()).isEqualTo(TABLES);
      assertThat(full.storage.bytesRead())
          .as("full scan of %d table bytes: %s", tableBytes, full.storage)
          .isLessThanOrEqualTo(tableBytes + TABLES * (64L << 10) + (64L << 10));
      assertThat(full.reader.remoteReads())
          .as("ranged reads with read-ahead, not one per 4 KiB block: %s", full.reader)
          .isLessThanOrEqualTo(TABLES + tableBytes / (16 << 10));

      // 1% of the keys, inside the second table.
      int from = ROWS_PER_TABLE + ROWS_PER_TABLE / 4;
      int to = from + TABLES * ROWS_PER_TABLE / 100;
      Cost range = scan(l, lease, IsleSplit.bounded(1, version, key(from), key(to)));
      assertThat(range.rows).isEqualTo(to - from);
      assertNothingLocal(range);
      assertThat(range.reader.tableOpens()).as("only the table the range meets").isEqualTo(1);
      assertThat(range.storage.bytesRead())
          .as("1%% range scan (largest table %d bytes): %s", largest, range.storage)
          .isLessThan(largest / 2);
      assertThat(range.reader.remoteReads()).as("%s", range.reader).isLessThanOrEqualTo(8);
    }
  }

  private static void assertNothingLocal(Cost c) {
    assertThat(c.reader.downloads()).as("tables copied whole: %s", c.reader).isZero();
    assertThat(c.reader.downloadedBytes()).isZero();
    assertThat(c.reader.diskCacheBytes()).as("bytes written to the disk cache").isZero();
  }

  private record Cost(long rows, ReaderStats reader, RequestStats storage) {}

  /** Reads {@code split} to its end as a source reader task does (its own ScanViews). */
  private static Cost scan(TableLocation l, SharedTables.Lease lease, IsleSplit split) {
    ScanConfig config = ScanViewsTest.boundedConfig(l);
    SourceGauges gauges = new SourceGauges();
    List<RequestStats> storage = new ArrayList<>();
    long rows;
    ReaderStats stats;
    try (ScanViews views = new ScanViews(l, gauges)) {
      rows =
          ScanViewsTest.readEach(
              List.of(split),
              () -> new IsleSplitReader(config, gauges, new AtomicLong(), views),
              lease,
              storage);
      stats = views.readerStats();
    }
    return new Cost(rows, stats, storage.get(0));
  }

  /** {@code TABLES} tables of disjoint key ranges, 4 KiB blocks, incompressible values. */
  private static long writeTables(IsleDB db) {
    Random random = new Random(SEED);
    byte[] value = new byte[100];
    WriterOptions options =
        WriterOptions.defaults().withBlockSize(4096).withMemtableSize(64L << 20); // one per flush
    try (Writer w = db.openWriter(options)) {
      for (int t = 0; t < TABLES; t++) {
        for (int i = 0; i < ROWS_PER_TABLE; i++) {
          random.nextBytes(value);
          w.put(key(t * ROWS_PER_TABLE + i), value.clone());
        }
        w.flush();
      }
      return w.lastCommittedVersion();
    }
  }

  private static byte[] key(int i) {
    return String.format("k%08d", i).getBytes(StandardCharsets.UTF_8);
  }
}
