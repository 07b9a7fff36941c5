package io.isledb.dist.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * A SQL job run in a child JVM whose classpath is the shaded connector jar plus Flink's jars: it
 * creates an isle table, inserts rows, reads them back and prints {@code @@ROW id name} per row and
 * {@code @@DONE count}. Uses Flink's API only; the connector is found through its factory.
 *
 * <p>Arguments: {@code <shaded jar file name> <table path> [hadoop.key=value ...]}.
 */
public final class SqlJob {
  private SqlJob() {}

  public static void main(String[] args) throws Exception {
    ShadedJars.check("io.isledb.flink.connector.table.IsleDynamicTableFactory", args[0]);
    StringBuilder with = new StringBuilder("'connector' = 'isle', 'path' = '" + args[1] + "'");
    for (Map.Entry<String, String> e : ShadedJars.pairs(args, 2).entrySet()) {
      with.append(", '").append(e.getKey()).append("' = '").append(e.getValue()).append('\'');
    }
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    tEnv.executeSql(
        "CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10, 2),"
            + " PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + with
            + ")");
    tEnv.executeSql(
            "INSERT INTO orders VALUES (3, 'carol', 7.25), (1, 'alice', 10.50),"
                + " (2, 'bob', 3.00), (1, 'alice', 12.00)")
        .await();
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it =
        tEnv.executeSql("SELECT id, customer, amount FROM orders WHERE amount > 5").collect()) {
      it.forEachRemaining(rows::add);
    }
    rows.sort((a, b) -> Long.compare((Long) a.getField(0), (Long) b.getField(0)));
    for (Row r : rows) {
      System.out.println("@@ROW " + r.getField(0) + " " + r.getField(1) + " " + r.getField(2));
    }
    System.out.println("@@DONE " + rows.size());
  }
}
