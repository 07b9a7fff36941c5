package io.isledb.flink.connector.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.sink.SinkTestTable.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL sink of an upsert table (rows hash-partitioned by key to three writers, not keyed) under
 * failover: a streaming {@code INSERT} of an upsert changelog that overwrites 300 keys again and
 * again, with induced failures before the sink at seeded rows and once right after a checkpoint's
 * commit landed. Every row's write must be committed exactly once (one change per row) and each key
 * must end with its last row (per-key order kept across the shuffle and the restarts).
 */
class IsleSqlSinkExactlyOnceITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final int ROWS = 2_000;
  private static final int KEYS = 300;
  private static final int PER_CHECKPOINT = 100;

  @TempDir Path tmp;

  @Test
  void sqlUpsertsLandExactlyOnceInPerKeyOrder() throws Exception {
    long seed = Long.getLong("isledb.test.seed", new Random().nextLong());
    Random r = new Random(seed);
    TreeSet<Long> fails = new TreeSet<>();
    while (fails.size() < 3) {
      fails.add(PER_CHECKPOINT + (long) r.nextInt(ROWS - 2 * PER_CHECKPOINT));
    }
    System.out.println("seed " + seed + " (-Disledb.test.seed=" + seed + "): fails at " + fails);
    IsleSinkExactlyOnceITCase.MAP_FAILS.clear();
    IsleSinkExactlyOnceITCase.MAP_FAILS.addAll(fails);
    IsleSinkExactlyOnceITCase.AFTER_COMMIT_ARMED.set(true);
    IsleSinkExactlyOnceITCase.AFTER_COMMIT_FIRED.set(false);

    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, null, "sql-eo");
    String user = "sql-eo-test";
    StreamExecutionEnvironment env = IsleSinkExactlyOnceITCase.environment(); // restarts, 100 ms
    env.setParallelism(3);
    DataGeneratorSource<Long> gen =
        new DataGeneratorSource<>(
            i -> i, ROWS, RateLimiterStrategy.perCheckpoint(PER_CHECKPOINT), Types.LONG);
    DataStream<Row> rows =
        env.fromSource(gen, WatermarkStrategy.noWatermarks(), "rows")
            .setParallelism(1)
            .map(new IsleSinkExactlyOnceITCase.FailingMap(table.location(), user))
            .setParallelism(1)
            .map(i -> Row.ofKind(RowKind.UPDATE_AFTER, i % KEYS, "v" + i))
            .returns(Types.ROW_NAMED(new String[] {"k", "v"}, Types.LONG, Types.STRING))
            .setParallelism(1);
    StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
    String ddl =
        "CREATE TABLE t (k BIGINT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ("
            + "'connector' = 'isle', 'path' = '"
            + table.location().uri()
            + "', 'sink.commit-user' = '"
            + user
            + "')";
    tenv.executeSql(ddl);
    // An upsert changelog keyed by k (an insert-only query into a keyed table needs ON CONFLICT).
    tenv.createTemporaryView(
        "src",
        tenv.fromChangelogStream(
            rows,
            Schema.newBuilder()
                .column("k", DataTypes.BIGINT().notNull())
                .column("v", DataTypes.STRING())
                .primaryKey("k")
                .build(),
            ChangelogMode.upsert()));
    tenv.executeSql("INSERT INTO t SELECT k, v FROM src").await();

    assertThat(IsleSinkExactlyOnceITCase.MAP_FAILS).as("failures left, seed %s", seed).isEmpty();
    assertThat(IsleSinkExactlyOnceITCase.AFTER_COMMIT_FIRED.get())
        .as("after-commit failure fired, seed %s", seed)
        .isTrue();
    assertThat(table.changes()).as("one change per row, seed %s", seed).hasSize(ROWS);

    TreeMap<Long, String> model = new TreeMap<>();
    for (long i = 0; i < ROWS; i++) {
      model.put(i % KEYS, "v" + i);
    }
    TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    batch.executeSql(ddl);
    TreeMap<Long, String> read = new TreeMap<>();
    List<Row> all = new ArrayList<>();
    try (CloseableIterator<Row> it = batch.executeSql("SELECT k, v FROM t").collect()) {
      it.forEachRemaining(all::add);
    }
    for (Row row : all) {
      read.put((Long) row.getField(0), (String) row.getField(1));
    }
    assertThat(all).as("one row per key").hasSize(KEYS);
    assertThat(read).as("each key's last row, seed %s", seed).isEqualTo(model);
  }
}
