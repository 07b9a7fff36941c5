package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readable metadata columns {@code version} and {@code commit_time}: a change carries the
 * version that committed it and that commit's time as the committing writer's (injected) clock
 * recorded it; rows of a snapshot (a bounded scan, the start of a 'full' stream) carry the version
 * read and a NULL commit time.
 */
class IsleMetadataColumnsITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final RowType ROW = IsleStreamingSqlITCase.ROW;

  private static final String COLUMNS =
      "CREATE TABLE t (k STRING, v INT, ver BIGINT METADATA FROM 'version' VIRTUAL,"
          + " ct TIMESTAMP_LTZ(3) METADATA FROM 'commit_time' VIRTUAL,"
          + " PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '";

  /** The writer's clock: near real time (the file store's own timestamps are real), then moved. */
  private final MutableClock clock =
      new MutableClock((System.currentTimeMillis() / 1000) * 1000 + 123);

  @TempDir Path dir;

  private String path() {
    return dir.toUri() + "t";
  }

  private static GenericRowData row(String k, int v) {
    return IsleStreamingSqlITCase.row(k, v);
  }

  private static List<String> next(CloseableIterator<Row> it, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n && it.hasNext(); i++) {
      Row r = it.next();
      out.add(
          r.getKind().shortString()
              + "["
              + r.getField(0)
              + ", "
              + r.getField(1)
              + ", "
              + r.getField(3)
              + "]");
    }
    out.sort(null);
    return out;
  }

  @Test
  void changesCarryTheCommittingWritersClockSnapshotRowsNull() throws Exception {
    try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096, clock)) {
      t.put(row("a", 1));
      t.flush();
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
    tenv.executeSql(COLUMNS + path() + "', 'scan.poll-interval' = '100 ms')");
    try (CloseableIterator<Row> it = tenv.executeSql("SELECT k, v, ver, ct FROM t").collect()) {
      assertThat(next(it, 1)).containsExactly("+I[a, 1, null]");
      Instant second;
      Instant third;
      try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096, clock)) {
        clock.advance(Duration.ofMinutes(17));
        t.put(row("c", 3));
        t.flush();
        second = clock.instant();
        clock.advance(Duration.ofHours(5));
        t.put(row("a", 10));
        t.flush();
        third = clock.instant();
      }
      // Flink's changelog normalization adds the old row (-U) of the update, as it was emitted.
      assertThat(next(it, 3))
          .containsExactly(
              "+I[c, 3, " + second + "]", "+U[a, 10, " + third + "]", "-U[a, 1, null]");
    }
  }

  @Test
  void aBoundedScanHasTheVersionReadAndNoCommitTime() throws Exception {
    try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096, clock)) {
      t.put(row("a", 1));
      t.flush();
    }
    TableEnvironment tenv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tenv.executeSql(COLUMNS + path() + "')");
    List<String> rows =
        IsleSqlRoundTripITCase.collect(tenv.executeSql("SELECT k, v, ver, ct FROM t"));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).matches("\\+I\\[a, 1, [0-9]+, null\\]");
  }
}
