package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lookup joins ({@code FOR SYSTEM_TIME AS OF}) on an isle dimension table: full-key point lookups
 * and key-prefix lookups, sync and async, with and without Flink's partial cache, matched against a
 * model of the table.
 */
class IsleLookupJoinITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final RowType DIM =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("region", DataTypes.STRING().notNull()),
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("score", DataTypes.INT()))
              .getLogicalType();

  @TempDir Path dir;
  private StreamTableEnvironment tenv;

  private String path() {
    return dir.toUri() + "dim";
  }

  @BeforeEach
  void setUp() {
    try (IsleTestTables t = new IsleTestTables(path(), DIM, List.of("region", "id"), 4096)) {
      for (String region : new String[] {"eu", "us"}) {
        for (long id = 0; id < 500; id += 2) {
          t.put(
              GenericRowData.of(
                  StringData.fromString(region),
                  id,
                  StringData.fromString(region + "-" + id),
                  (int) (id % 10)));
        }
      }
      t.flush();
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    tenv = StreamTableEnvironment.create(env);
    List<Row> probes = new ArrayList<>();
    for (long id = 0; id < 40; id++) {
      probes.add(Row.of(id % 3 == 0 ? "us" : "eu", id, id % 10 == 4 ? (int) (id % 10) : 0));
    }
    probes.add(Row.of("asia", 2L, 0)); // no such region
    probes.add(Row.of(null, 2L, 0)); // NULL key: no match
    tenv.createTemporaryView(
        "probe",
        tenv.fromDataStream(
            env.fromData(
                Types.ROW_NAMED(
                    new String[] {"region", "id", "score"}, Types.STRING, Types.LONG, Types.INT),
                probes.toArray(new Row[0])),
            Schema.newBuilder().columnByExpression("pt", "PROCTIME()").build()));
  }

  private void createDim(String options) {
    tenv.executeSql(
        "CREATE TABLE dim (region STRING, id BIGINT, name STRING, score INT,"
            + " PRIMARY KEY (region, id) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path()
            + "', 'lookup.refresh-interval' = '1 h'"
            + options
            + ")");
  }

  private static List<String> expectedPointJoin() {
    List<String> out = new ArrayList<>();
    for (long id = 0; id < 40; id++) {
      String region = id % 3 == 0 ? "us" : "eu";
      String name = id % 2 == 0 ? region + "-" + id : null;
      out.add("+I[" + region + ", " + id + ", " + name + "]");
    }
    out.add("+I[asia, 2, null]");
    out.add("+I[null, 2, null]");
    out.sort(null);
    return out;
  }

  @ParameterizedTest(name = "async={0}, cache={1}")
  @CsvSource({"false, NONE", "true, NONE", "false, PARTIAL", "true, PARTIAL"})
  void pointLookupsOnTheFullKey(boolean async, String cache) throws Exception {
    createDim(
        ", 'lookup.async' = '"
            + async
            + "', 'lookup.cache' = '"
            + cache
            + "'"
            + (cache.equals("PARTIAL") ? ", 'lookup.partial-cache.max-rows' = '100'" : ""));
    String sql =
        "SELECT p.region, p.id, d.name FROM probe AS p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt"
            + " AS d ON p.region = d.region AND p.id = d.id";
    assertThat(tenv.explainSql(sql))
        .contains("LookupJoin")
        .contains(async ? "async=[" : "LookupJoin");
    assertThat(collect(tenv.executeSql(sql))).isEqualTo(expectedPointJoin());
  }

  @Test
  void prefixLookupsScanTheKeyPrefixAndMatchTheOtherColumns() throws Exception {
    createDim("");
    // Lookup on region only (a key prefix) plus score (not a key column): a prefix scan filtered.
    String sql =
        "SELECT p.id, d.id, d.score FROM probe AS p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d"
            + " ON p.region = d.region AND p.score = d.score WHERE p.id IN (4, 14)";
    List<String> expected = new ArrayList<>();
    for (long probe : new long[] {4, 14}) {
      for (long id = 0; id < 500; id += 2) {
        if (id % 10 == 4) {
          expected.add("+I[" + probe + ", " + id + ", 4]");
        }
      }
    }
    expected.sort(null);
    assertThat(collect(tenv.executeSql(sql))).isEqualTo(expected);
  }

  @Test
  void aLookupWithoutTheFirstKeyColumnIsRefusedAtPlanning() {
    createDim("");
    String sql =
        "SELECT p.id, d.name FROM probe AS p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d"
            + " ON p.id = d.id";
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> tenv.explainSql(sql));
    assertThat(t).isNotNull();
    assertThat(IsleTableFactoryTestSupport.chain(t))
        .contains("must use the first primary key column")
        .contains("[region, id]");
  }
}
