package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unbounded SQL reads of an upsert table: the current rows, then puts and deletes committed later
 * as an upsert changelog (with the version metadata column); and the error of a bounded read of a
 * version that is not retained.
 */
class IsleStreamingSqlITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final RowType ROW =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("k", DataTypes.STRING().notNull()),
                  DataTypes.FIELD("v", DataTypes.INT()))
              .getLogicalType();

  @TempDir Path dir;

  private String path() {
    return dir.toUri() + "t";
  }

  static GenericRowData row(String k, int v) {
    return GenericRowData.of(StringData.fromString(k), v);
  }

  private static List<String> next(CloseableIterator<Row> it, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n && it.hasNext(); i++) {
      out.add(it.next().toString());
    }
    out.sort(null);
    return out;
  }

  @Test
  void unboundedScanEmitsTheCurrentRowsThenTheirChanges() throws Exception {
    try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096)) {
      t.put(row("a", 1));
      t.put(row("b", 2));
      t.flush();
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
    tenv.executeSql(
        "CREATE TABLE t (k STRING, v INT, ver BIGINT METADATA FROM 'version' VIRTUAL,"
            + " PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path()
            + "', 'scan.poll-interval' = '100 ms')");
    try (CloseableIterator<Row> it = tenv.executeSql("SELECT k, v FROM t").collect()) {
      assertThat(next(it, 2)).containsExactly("+I[a, 1]", "+I[b, 2]");
      try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096)) {
        t.put(row("a", 10));
        t.delete(row("b", 0));
        t.put(row("c", 3));
        t.flush();
      }
      // The upsert changelog, normalized by Flink: the old row of an update and of a delete.
      assertThat(next(it, 4)).containsExactly("+I[c, 3]", "+U[a, 10]", "-D[b, 2]", "-U[a, 1]");
    }
  }

  @Test
  void versionMetadataColumn() throws Exception {
    try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096)) {
      t.put(row("a", 1));
      t.flush();
    }
    TableEnvironment tenv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tenv.executeSql(
        "CREATE TABLE t (k STRING, v INT, ver BIGINT METADATA FROM 'version' VIRTUAL,"
            + " PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path()
            + "')");
    List<String> rows = IsleSqlRoundTripITCase.collect(tenv.executeSql("SELECT k, v, ver FROM t"));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).matches("\\+I\\[a, 1, [0-9]+\\]");
  }

  @Test
  void aVersionThatIsNotRetainedIsAnErrorNamingIt() {
    try (IsleTestTables t = new IsleTestTables(path(), ROW, List.of("k"), 4096)) {
      t.put(row("a", 1));
      t.flush();
    }
    TableEnvironment tenv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tenv.executeSql(
        "CREATE TABLE t (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' ="
            + " 'isle', 'path' = '"
            + path()
            + "', 'scan.startup.version' = '987654')");
    Throwable error =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> IsleSqlRoundTripITCase.collect(tenv.executeSql("SELECT * FROM t")));
    assertThat(error).isNotNull();
    assertThat(IsleTableFactoryTestSupport.chain(error)).contains("987654");
  }
}
