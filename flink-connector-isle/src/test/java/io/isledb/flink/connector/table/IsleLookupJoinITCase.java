package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
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
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lookup joins ({@code FOR SYSTEM_TIME AS OF}) on an isle dimension table: full-key point lookups
 * and key-prefix lookups, sync and async, with and without Flink's partial cache, matched against a
 * model of the table; and rows committed while a lookup job runs, seen by the probes after the
 * refresh interval (and the cache's expiry).
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
  private StreamExecutionEnvironment env;
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
    env = StreamExecutionEnvironment.getExecutionEnvironment();
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
    createDim("1 h", options);
  }

  private void createDim(String refreshInterval, String options) {
    tenv.executeSql(
        "CREATE TABLE dim (region STRING, id BIGINT, name STRING, score INT,"
            + " PRIMARY KEY (region, id) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path()
            + "', 'lookup.refresh-interval' = '"
            + refreshInterval
            + "'"
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

  /** Released one round at a time by the test thread; each round probes {@link #PROBED_KEYS}. */
  private static final Semaphore PROBE_ROUNDS = new Semaphore(0);

  /** Key 2 exists ("eu-2") and gets a new name; key 1 does not exist and gets a row. */
  private static final long[] PROBED_KEYS = {2, 1};

  /** Emits round r's probes (r, "eu", key) once the test released round r; parallelism 1. */
  private static final class ReleasedProbes extends RichFlatMapFunction<Long, Row> {
    private long round;

    @Override
    public void flatMap(Long ignored, Collector<Row> out) throws InterruptedException {
      PROBE_ROUNDS.acquire(); // interrupted when the test closes the result (cancels the job)
      for (long id : PROBED_KEYS) {
        out.collect(Row.of(round, "eu", id));
      }
      round++;
    }
  }

  /** Releases round {@code round} and reads its joined rows: probed id to the name seen. */
  private static Map<Long, String> probeRound(Iterator<Row> results, long round) {
    PROBE_ROUNDS.release();
    Map<Long, String> seen = new HashMap<>();
    for (int i = 0; i < PROBED_KEYS.length; i++) {
      assertThat(results.hasNext()).as("the join's result ended early").isTrue();
      Row row = results.next();
      assertThat(row.getField(0)).as("round of %s", row).isEqualTo(round);
      seen.put((Long) row.getField(1), (String) row.getField(2));
    }
    return seen;
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  @Timeout(120)
  void rowsCommittedWhileTheJobRunsAreSeenAfterTheRefreshInterval(boolean async) throws Exception {
    PROBE_ROUNDS.drainPermits();
    createDim(
        "200 ms",
        ", 'lookup.async' = '"
            + async
            + "', 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100',"
            + " 'lookup.partial-cache.expire-after-write' = '300 ms'");
    tenv.createTemporaryView(
        "rounds",
        tenv.fromDataStream(
            env.fromSequence(0, 9_999)
                .setParallelism(1)
                .flatMap(new ReleasedProbes())
                .setParallelism(1)
                // Its own task: a blocked probe must not block the join's and the sink's mailbox.
                .disableChaining()
                .returns(
                    Types.ROW_NAMED(
                        new String[] {"r", "region", "id"}, Types.LONG, Types.STRING, Types.LONG)),
            Schema.newBuilder().columnByExpression("pt", "PROCTIME()").build()));
    String sql =
        "SELECT p.r, p.id, d.name FROM rounds AS p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d"
            + " ON p.region = d.region AND p.id = d.id";
    Map<Long, String> before = new HashMap<>();
    before.put(2L, "eu-2");
    before.put(1L, null);
    Map<Long, String> after = Map.of(2L, "eu-2-new", 1L, "eu-1-new");
    try (CloseableIterator<Row> results = tenv.executeSql(sql).collect()) {
      long round = 0;
      for (; round < 3; round++) { // warm the reader and the cache (a cached miss for key 1)
        assertThat(probeRound(results, round)).as("round %s", round).isEqualTo(before);
      }
      try (IsleTestTables t = new IsleTestTables(path(), DIM, List.of("region", "id"), 4096)) {
        t.put(row("eu", 2, "eu-2-new", 2));
        t.put(row("eu", 1, "eu-1-new", 1));
        t.flush();
      }
      // Probe until both new rows show (refresh 200 ms + cache expiry 300 ms); each round's names
      // are the old or the new ones, never anything else. The pause only paces the rounds.
      Map<Long, String> seen = before;
      long firstNew = -1;
      for (int retries = 0; retries < 200 && firstNew < 0; retries++, round++) {
        Thread.sleep(20);
        seen = probeRound(results, round);
        for (long id : PROBED_KEYS) {
          assertThat(seen.get(id))
              .as("round %s, id %s", round, id)
              .isIn(before.get(id), after.get(id));
        }
        if (seen.equals(after)) {
          firstNew = round;
        }
      }
      assertThat(seen).as("no round within 200 retries saw the new rows").isEqualTo(after);
      for (long more = round + 2; round < more; round++) { // and stay seen
        assertThat(probeRound(results, round)).as("round %s", round).isEqualTo(after);
      }
    }
  }

  private static GenericRowData row(String region, long id, String name, int score) {
    return GenericRowData.of(StringData.fromString(region), id, StringData.fromString(name), score);
  }
}
