package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleStreamingSqlITCase.ROW;
import static io.isledb.flink.connector.table.IsleStreamingSqlITCase.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
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
 * A continuous SQL query over an isle table sees what ANOTHER Flink SQL job (an {@code INSERT} of
 * an upsert changelog: inserts, updates of existing keys, deletes of keys that job never wrote)
 * writes into the same table while the query runs. Checked against a model of the table's final
 * content and of the changelog the query emits (Flink's normalization of the source's upsert
 * changelog).
 *
 * <p>The writer's deletes reach the table only because the sink takes key-only deletes: with full
 * deletes Flink put a {@code ChangelogNormalize} before the sink, which drops a delete of a key it
 * has no row for (here every deleted key), and the query waited forever for their {@code -D}.
 */
class IsleContinuousQueryITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @TempDir Path dir;

  private static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  private static StreamTableEnvironment tableEnv(String path) {
    return tableEnv(env(), path);
  }

  private static StreamTableEnvironment tableEnv(StreamExecutionEnvironment env, String path) {
    StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
    tenv.executeSql(
        "CREATE TABLE t (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' ="
            + " 'isle', 'path' = '"
            + path
            + "', 'scan.poll-interval' = '100 ms')");
    return tenv;
  }

  @Test
  @org.junit.jupiter.api.Timeout(180)
  void aContinuousQuerySeesAnotherJobsUpserts() throws Exception {
    String path = dir.toUri() + "t";
    Map<String, Integer> model = new TreeMap<>();
    try (IsleTestTables t = new IsleTestTables(path, ROW, List.of("k"), 4096)) {
      for (String k : List.of("a", "b", "c")) {
        t.put(row(k, k.charAt(0) - 'a' + 1));
        model.put(k, k.charAt(0) - 'a' + 1);
      }
      t.flush();
    }
    StreamTableEnvironment query = tableEnv(path);
    try (CloseableIterator<Row> it = query.executeSql("SELECT k, v FROM t").collect()) {
      List<String> seen = new ArrayList<>();
      Map<String, Integer> view = new TreeMap<>();
      take(it, 3, seen, view);
      assertThat(sorted(seen)).containsExactly("+I[a, 1]", "+I[b, 2]", "+I[c, 3]");

      // The other job: an upsert changelog INSERTed through SQL while the query runs.
      List<Row> changes =
          List.of(
              Row.ofKind(RowKind.INSERT, "d", 4),
              Row.ofKind(RowKind.UPDATE_AFTER, "a", 10),
              Row.ofKind(RowKind.DELETE, "b", 2),
              Row.ofKind(RowKind.INSERT, "e", 5),
              Row.ofKind(RowKind.UPDATE_AFTER, "d", 40),
              Row.ofKind(RowKind.DELETE, "c", 3));
      for (Row r : changes) {
        if (r.getKind() == RowKind.DELETE) {
          model.remove((String) r.getField(0));
        } else {
          model.put((String) r.getField(0), (Integer) r.getField(1));
        }
      }
      StreamExecutionEnvironment wenv = env();
      StreamTableEnvironment writer = tableEnv(wenv, path);
      writer.createTemporaryView(
          "changes",
          writer.fromChangelogStream(
              wenv.fromData(
                  Types.ROW_NAMED(new String[] {"k", "v"}, Types.STRING, Types.INT),
                  changes.toArray(new Row[0])),
              Schema.newBuilder()
                  .column("k", DataTypes.STRING().notNull())
                  .column("v", DataTypes.INT())
                  .primaryKey("k")
                  .build(),
              ChangelogMode.upsert()));
      String insert = "INSERT INTO t SELECT k, v FROM changes";
      assertThat(writer.explainSql(insert)).doesNotContain("ChangelogNormalize");
      writer.executeSql(insert).await();

      // One version (a bounded INSERT commits at end of input): per key its last write. Flink
      // normalizes the upsert changelog: an update also retracts the old row, a delete carries it.
      seen.clear();
      take(it, 6, seen, view);
      assertThat(sorted(seen))
          .containsExactly(
              "+I[d, 40]", "+I[e, 5]", "+U[a, 10]", "-D[b, 2]", "-D[c, 3]", "-U[a, 1]");
      assertThat(view).isEqualTo(model);
    }
    // The table's final content, read by a bounded query.
    StreamTableEnvironment check = tableEnv(path);
    check.executeSql(
        "CREATE TABLE b (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' ="
            + " 'isle', 'path' = '"
            + path
            + "', 'scan.bounded' = 'true')");
    Map<String, Integer> stored = new TreeMap<>();
    try (CloseableIterator<Row> it = check.executeSql("SELECT k, v FROM b").collect()) {
      it.forEachRemaining(r -> stored.put((String) r.getField(0), (Integer) r.getField(1)));
    }
    assertThat(stored).isEqualTo(model);
  }

  /**
   * Takes {@code n} rows, applying each to {@code view} (the query's result as a table); fails
   * naming the rows seen if they do not all come within a minute (a query that misses a change
   * would otherwise block forever in {@code hasNext}).
   */
  private static void take(
      CloseableIterator<Row> it, int n, List<String> seen, Map<String, Integer> view)
      throws Exception {
    List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CompletableFuture<Void> rows =
        java.util.concurrent.CompletableFuture.runAsync(() -> takeBlocking(it, n, got, view));
    try {
      rows.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("expected " + n + " rows within 60 s, got only " + got, e);
    } finally {
      seen.addAll(got);
    }
  }

  private static void takeBlocking(
      CloseableIterator<Row> it, int n, List<String> seen, Map<String, Integer> view) {
    for (int i = 0; i < n && it.hasNext(); i++) {
      Row r = it.next();
      seen.add(r.toString());
      String k = (String) r.getField(0);
      switch (r.getKind()) {
        case INSERT, UPDATE_AFTER -> view.put(k, (Integer) r.getField(1));
        case DELETE, UPDATE_BEFORE -> view.remove(k);
        default -> throw new AssertionError(r);
      }
    }
  }

  private static List<String> sorted(List<String> l) {
    List<String> s = new ArrayList<>(l);
    s.sort(null);
    return s;
  }
}
