package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.S3ServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SQL surface against the real S3 server (s3proxy) over s3a://: INSERT then SELECT with a
 * key-range filter, and lookups whose cold cost is at most two ranged GETs on the wire; the
 * credentials never show in the plan.
 */
class IsleS3SqlITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static Map<String, String> tableOptions(String path) {
    Map<String, String> options = new HashMap<>();
    options.put("path", path);
    S3.hadoopConf().forEach((k, v) -> options.put("hadoop." + k, v));
    return options;
  }

  static String with(Map<String, String> options) {
    return options.entrySet().stream()
        .map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'")
        .collect(Collectors.joining(", ", "WITH ('connector' = 'isle', ", ")"));
  }

  @Test
  void insertSelectAndLookupsOnS3a() throws Exception {
    String path = S3.uri() + "/" + S3.newPrefix("sql-orders");
    Map<String, String> options = tableOptions(path);
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.executeSql(
        "CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10, 2),"
            + " PRIMARY KEY (id) NOT ENFORCED) "
            + with(options));
    env.executeSql(
            "INSERT INTO orders VALUES (1, 'ann', 10.50), (2, 'bob', 3.00), (3, 'cy', 7.25),"
                + " (4, 'di', CAST(NULL AS DECIMAL(10, 2)))")
        .await();
    String plan = env.explainSql("SELECT * FROM orders WHERE id >= 2 AND id < 4");
    assertThat(plan).contains("filter=[");
    String secret = S3.hadoopConf().get("fs.s3a.secret.key");
    assertThat(plan).doesNotContain(secret);
    assertThat(collect(env.executeSql("SELECT * FROM orders WHERE id >= 2 AND id < 4")))
        .containsExactly("+I[2, bob, 3.00]", "+I[3, cy, 7.25]");

    // Lookups on the same table: a cold lookup is at most two ranged GETs, a missing key none.
    TableLocation location = TableLocation.of(path, options);
    TableSchemaInfo schema =
        TableSchemaInfo.resolve(
            "orders",
            (org.apache.flink.table.types.logical.RowType)
                org.apache.flink.table.api.DataTypes.ROW(
                        org.apache.flink.table.api.DataTypes.FIELD(
                            "id", org.apache.flink.table.api.DataTypes.BIGINT().notNull()),
                        org.apache.flink.table.api.DataTypes.FIELD(
                            "customer", org.apache.flink.table.api.DataTypes.STRING()),
                        org.apache.flink.table.api.DataTypes.FIELD(
                            "amount", org.apache.flink.table.api.DataTypes.DECIMAL(10, 2)))
                    .getLogicalType(),
            new int[] {0},
            location);
    try (SharedTables.Lease shared = SharedTables.acquire(location)) {
      IsleRowDataLookupFunction f =
          new IsleRowDataLookupFunction(
              location,
              Duration.ofHours(1),
              LookupCodecs.create(schema, new int[] {0, 1, 2}, new int[] {0}),
              3);
      f.open(new FunctionContext(null));
      try {
        RequestStats before = shared.db().store().stats();
        java.util.Collection<RowData> rows = f.lookup(GenericRowData.of(3L));
        RequestStats cold = shared.db().store().stats().minus(before);
        assertThat(rows).hasSize(1);
        assertThat(cold.gets()).as("cold lookup %s", cold).isLessThanOrEqualTo(2);
        assertThat(cold.total()).as("cold lookup %s", cold).isEqualTo(cold.gets());
        assertThat(cold.backend("action_http_get_request"))
            .as("HTTP GETs on the wire: %s", cold)
            .isEqualTo(cold.gets());
        assertThat(cold.backend("object_metadata_request")).as("no HEAD: %s", cold).isZero();

        before = shared.db().store().stats();
        assertThat(f.lookup(GenericRowData.of(1000L))).isEmpty();
        assertThat(f.lookup(GenericRowData.of(-5L))).isEmpty();
        RequestStats missing = shared.db().store().stats().minus(before);
        assertThat(missing.total()).as("missing keys %s", missing).isZero();
      } finally {
        f.close();
      }
    }
  }
}
