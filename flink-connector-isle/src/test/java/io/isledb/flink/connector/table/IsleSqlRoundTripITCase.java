package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL on a MiniCluster, file://: INSERT then SELECT of every type, upsert and delete semantics of a
 * retracting aggregation, append-only tables, a parallel bounded scan returning every row once.
 */
class IsleSqlRoundTripITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @TempDir Path dir;

  private String path(String name) {
    return dir.toUri() + name;
  }

  static List<String> collect(TableResult result) throws Exception {
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = result.collect()) {
      while (it.hasNext()) {
        rows.add(it.next().toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  private static final String ALL_TYPES =
      "k BIGINT NOT NULL, t TINYINT, s SMALLINT, i INT, f FLOAT, d DOUBLE, dec1 DECIMAL(10, 2),"
          + " dec2 DECIMAL(38, 18), b BOOLEAN, c CHAR(3), vc VARCHAR(10), st STRING,"
          + " bin BINARY(2), vb VARBINARY(5), bs BYTES, dt DATE, tm TIME(3), ts TIMESTAMP(3),"
          + " ts9 TIMESTAMP(9), ltz TIMESTAMP_LTZ(3), arr ARRAY<INT>, mp MAP<STRING, INT>,"
          + " ms MULTISET<STRING>, r ROW<a INT, b ARRAY<STRING>>";

  @Test
  void everyTypeRoundTrips() throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    Table src =
        env.fromValues(
            DataTypes.ROW(
                DataTypes.FIELD("k", DataTypes.BIGINT().notNull()),
                DataTypes.FIELD("t", DataTypes.TINYINT()),
                DataTypes.FIELD("s", DataTypes.SMALLINT()),
                DataTypes.FIELD("i", DataTypes.INT()),
                DataTypes.FIELD("f", DataTypes.FLOAT()),
                DataTypes.FIELD("d", DataTypes.DOUBLE()),
                DataTypes.FIELD("dec1", DataTypes.DECIMAL(10, 2)),
                DataTypes.FIELD("dec2", DataTypes.DECIMAL(38, 18)),
                DataTypes.FIELD("b", DataTypes.BOOLEAN()),
                DataTypes.FIELD("c", DataTypes.CHAR(3)),
                DataTypes.FIELD("vc", DataTypes.VARCHAR(10)),
                DataTypes.FIELD("st", DataTypes.STRING()),
                DataTypes.FIELD("bin", DataTypes.BINARY(2)),
                DataTypes.FIELD("vb", DataTypes.VARBINARY(5)),
                DataTypes.FIELD("bs", DataTypes.BYTES()),
                DataTypes.FIELD("dt", DataTypes.DATE()),
                DataTypes.FIELD("tm", DataTypes.TIME(3)),
                DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
                DataTypes.FIELD("ts9", DataTypes.TIMESTAMP(9)),
                DataTypes.FIELD("ltz", DataTypes.TIMESTAMP_LTZ(3)),
                DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.INT())),
                DataTypes.FIELD("mp", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT())),
                DataTypes.FIELD(
                    "r",
                    DataTypes.ROW(
                        DataTypes.FIELD("a", DataTypes.INT()),
                        DataTypes.FIELD("b", DataTypes.ARRAY(DataTypes.STRING()))))),
            Row.of(
                1L,
                (byte) -7,
                (short) 300,
                -70000,
                1.5f,
                -2.25e100,
                new BigDecimal("-12345678.90"),
                new BigDecimal("12345678901234567890.123456789012345678"),
                true,
                "abc",
                "héllo",
                "a string \u0000 with a NUL and ünïcode",
                new byte[] {0, -1},
                new byte[] {1, 2, 3},
                new byte[] {},
                LocalDate.of(1969, 12, 31),
                LocalTime.of(23, 59, 58, 123_000_000),
                LocalDateTime.of(2026, 11, 30, 22, 0, 1, 5_000_000),
                LocalDateTime.of(1900, 1, 1, 0, 0, 0, 123_456_789),
                Instant.ofEpochMilli(-1),
                new Integer[] {1, null, 3},
                Map.of("x", 1, "y", 2),
                Row.of(7, new String[] {"p", null})),
            Row.of(
                2L, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null));
    env.createTemporaryView("base", src);
    // MULTISET values come from COLLECT (fromValues cannot build them).
    env.executeSql(
        "CREATE TEMPORARY VIEW src AS SELECT b.k, b.t, b.s, b.i, b.f, b.d, b.dec1, b.dec2, b.b,"
            + " b.c, b.vc, b.st, b.bin, b.vb, b.bs, b.dt, b.tm, b.ts, b.ts9, b.ltz, b.arr, b.mp,"
            + " m.ms, b.r FROM base b LEFT JOIN (SELECT k, COLLECT(CAST(x AS STRING)) AS ms"
            + " FROM (VALUES (1, 'm'), (1, 'm'), (1, 'n')) AS v(k, x) GROUP BY k) m"
            + " ON b.k = m.k");
    env.executeSql(
        "CREATE TABLE all_types ("
            + ALL_TYPES
            + ", PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path("all_types")
            + "')");
    env.executeSql("INSERT INTO all_types SELECT * FROM src").await();
    List<String> expected = collect(env.executeSql("SELECT * FROM src"));
    assertThat(expected).hasSize(2);
    assertThat(collect(env.executeSql("SELECT * FROM all_types"))).isEqualTo(expected);
    // Projection: only some columns decoded, in another order.
    assertThat(collect(env.executeSql("SELECT ms, k, r FROM all_types")))
        .isEqualTo(collect(env.executeSql("SELECT ms, k, r FROM src")));
  }

  @Test
  void retractingAggregationUpsertsAndDeletes() throws Exception {
    StreamExecutionEnvironment senv = StreamExecutionEnvironment.getExecutionEnvironment();
    senv.setParallelism(2);
    StreamTableEnvironment tenv = StreamTableEnvironment.create(senv);
    DataStream<Row> changes =
        senv.fromData(
            Types.ROW_NAMED(new String[] {"k", "v"}, Types.STRING, Types.INT),
            Row.ofKind(RowKind.INSERT, "a", 1),
            Row.ofKind(RowKind.INSERT, "b", 2),
            Row.ofKind(RowKind.INSERT, "a", 3),
            Row.ofKind(RowKind.INSERT, "c", 4),
            Row.ofKind(RowKind.DELETE, "b", 2),
            Row.ofKind(RowKind.UPDATE_BEFORE, "a", 1),
            Row.ofKind(RowKind.UPDATE_AFTER, "a", 5),
            Row.ofKind(RowKind.INSERT, "d", 6),
            Row.ofKind(RowKind.DELETE, "d", 6));
    tenv.createTemporaryView("src", tenv.fromChangelogStream(changes));
    tenv.executeSql(
        "CREATE TABLE counts (k STRING, n BIGINT, s INT, PRIMARY KEY (k) NOT ENFORCED)"
            + " WITH ('connector' = 'isle', 'path' = '"
            + path("counts")
            + "')");
    tenv.executeSql("INSERT INTO counts SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k").await();
    assertThat(
            collect(
                tenv.executeSql("SELECT * FROM counts /*+ OPTIONS('scan.bounded' = 'true') */")))
        .containsExactly("+I[a, 2, 8]", "+I[c, 1, 4]");
  }

  @Test
  void appendOnlyTablesKeepEveryRow() throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.executeSql(
        "CREATE TABLE log (id INT, msg STRING) WITH ('connector' = 'isle', 'path' = '"
            + path("log")
            + "')");
    env.executeSql("INSERT INTO log VALUES (1, 'x'), (1, 'x'), (2, CAST(NULL AS STRING))").await();
    env.executeSql("INSERT INTO log VALUES (1, 'x')").await();
    assertThat(collect(env.executeSql("SELECT * FROM log")))
        .containsExactly("+I[1, x]", "+I[1, x]", "+I[1, x]", "+I[2, null]");
  }

  @Test
  void parallelBoundedScanReturnsEveryRowOnce() throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.getConfig().set("table.exec.resource.default-parallelism", "4");
    env.executeSql(
        "CREATE TABLE big (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED)"
            + " WITH ('connector' = 'isle', 'path' = '"
            + path("big")
            + "', 'sink.parallelism' = '3')");
    env.executeSql(
        "CREATE TEMPORARY TABLE ids (id BIGINT) WITH ('connector' = 'datagen',"
            + " 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5000',"
            + " 'number-of-rows' = '5000')");
    env.executeSql("INSERT INTO big SELECT id, CONCAT('v', CAST(id AS STRING)) FROM ids").await();
    assertThat(
            collect(
                env.executeSql(
                    "SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), SUM(id) FROM big")))
        .containsExactly("+I[5000, 5000, 1, 5000, 12502500]");
  }

  @Test
  void sinkTtlExpiresRowsAfterTheirTimeToLive() throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    for (String[] t : new String[][] {{"short_lived", "1 ms"}, {"long_lived", "100 d"}}) {
      env.executeSql(
          "CREATE TABLE "
              + t[0]
              + " (id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'isle',"
              + " 'path' = '"
              + path(t[0])
              + "', 'sink.ttl' = '"
              + t[1]
              + "')");
      env.executeSql("INSERT INTO " + t[0] + " VALUES (1, 'a'), (2, 'b')").await();
    }
    assertThat(collect(env.executeSql("SELECT * FROM long_lived")))
        .containsExactly("+I[1, a]", "+I[2, b]");
    io.isledb.testing.Awaiting.until(
        () -> {
          try {
            return collect(env.executeSql("SELECT * FROM short_lived")).isEmpty();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        java.time.Duration.ofSeconds(60),
        () -> "rows written with a 1 ms time to live expire");
  }
}
