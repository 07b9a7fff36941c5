package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The factory's validation at planning time (no job runs): every bad input gets an error naming the
 * option, column or location, and no secret ever shows in an error, a summary or a plan.
 */
class IsleTableFactoryTest {
  private static final String SECRET = "s3cr3t-Value-42";

  @TempDir Path dir;
  private TableEnvironment env;

  @BeforeEach
  void setUp() {
    env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
  }

  private String path(String name) {
    return dir.toUri() + name;
  }

  private void create(String name, String columns, String options) {
    env.executeSql(
        "CREATE TABLE " + name + " (" + columns + ") WITH ('connector' = 'isle'" + options + ")");
  }

  private static String chain(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private String planError(String sql) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> env.explainSql(sql));
    assertThat(t).as("planning %s", sql).isNotNull();
    return chain(t);
  }

  @Test
  void validTableWithHadoopAndS3SettingsPlans() {
    create(
        "t",
        "id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = '"
            + path("t")
            + "', 'hadoop.fs.some.setting' = 'x', 's3.endpoint' = 'y',"
            + " 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100',"
            + " 'sink.parallelism' = '2', 'scan.bounded' = 'true'");
    assertThat(env.explainSql("SELECT * FROM t")).contains("TableSourceScan");
  }

  @Test
  void missingPath() {
    create("t", "id BIGINT", "");
    assertThat(planError("SELECT * FROM t")).contains("Missing required options").contains("path");
  }

  @Test
  void unknownOptionIsListedWithTheSupportedOnes() {
    create("t", "id BIGINT", ", 'path' = '" + path("t") + "', 'scan.boundd' = 'true'");
    assertThat(planError("SELECT * FROM t"))
        .contains("Unsupported options")
        .contains("scan.boundd")
        .contains("scan.bounded")
        .contains("lookup.refresh-interval");
  }

  @Test
  void dotDotPathAndUnsupportedScheme() {
    create("a", "id BIGINT", ", 'path' = 'file:///tmp/x/../y'");
    assertThat(planError("SELECT * FROM a")).contains("'..'").contains("file:///tmp/x/../y");
    create("b", "id BIGINT", ", 'path' = 'nosuchfs://bucket/t'");
    assertThat(planError("SELECT * FROM b")).contains("'nosuchfs'");
  }

  @Test
  void keyColumnOfUnsupportedTypeNamesColumnAndType() {
    create(
        "t",
        "m ARRAY<INT> NOT NULL, v STRING, PRIMARY KEY (m) NOT ENFORCED",
        ", 'path' = '" + path("t") + "'");
    assertThat(planError("SELECT * FROM t"))
        .contains("'m'")
        .contains("ARRAY<INT>")
        .contains("cannot be part of a key");
  }

  @Test
  void nullableKeyColumnIsRefused() {
    // SQL DDL makes primary key columns NOT NULL; other catalogs may not: checked at resolution.
    RowType rowType =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("k", DataTypes.INT()), DataTypes.FIELD("v", DataTypes.INT()))
                .getLogicalType();
    assertThatThrownBy(
            () ->
                TableSchemaInfo.resolve(
                    "t",
                    rowType,
                    new int[] {0},
                    io.isledb.flink.connector.internal.TableLocation.of(
                        path("n"), java.util.Map.of())))
        .hasMessageContaining("'k'")
        .hasMessageContaining("NOT NULL");
  }

  @Test
  void schemaMismatchNamesTheDifferingColumns() {
    RowType stored =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("name", DataTypes.STRING()),
                    DataTypes.FIELD("price", DataTypes.DECIMAL(10, 2)))
                .getLogicalType();
    try (IsleTestTables t = new IsleTestTables(path("s"), stored, List.of("id"), 4096)) {
      t.put(GenericRowData.of(1L, StringData.fromString("a"), null));
      t.flush();
    }
    create(
        "bad",
        "id BIGINT, name INT, price DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = '" + path("s") + "'");
    assertThat(planError("SELECT * FROM bad"))
        .contains("'name'")
        .containsPattern("stored (STRING|VARCHAR\\(2147483647\\))")
        .contains("declared INT");
    // Nullable columns added at the end are compatible.
    create(
        "good",
        "id BIGINT, name STRING, price DECIMAL(10, 2), extra INT, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = '" + path("s") + "'");
    assertThat(env.explainSql("SELECT * FROM good")).contains("TableSourceScan");
  }

  @Test
  void unreachableStoreNamesTheUriNotTheCredentials() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    create(
        "t",
        "id BIGINT, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = 's3a://bucket/tables/t'"
            + ", 'hadoop.fs.s3a.endpoint' = 'http://127.0.0.1:"
            + port
            + "'"
            + ", 'hadoop.fs.s3a.endpoint.region' = 'us-east-1'"
            + ", 'hadoop.fs.s3a.path.style.access' = 'true'"
            + ", 'hadoop.fs.s3a.connection.ssl.enabled' = 'false'"
            + ", 'hadoop.fs.s3a.attempts.maximum' = '0'"
            + ", 'hadoop.fs.s3a.retry.limit' = '0'"
            + ", 'hadoop.fs.s3a.connection.establish.timeout' = '2s'"
            + ", 'hadoop.fs.s3a.access.key' = 'AKIDEXAMPLE'"
            + ", 'hadoop.fs.s3a.secret.key' = '"
            + SECRET
            + "'"
            + ", 'hadoop.fs.s3a.aws.credentials.provider' ="
            + " 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider'");
    String error = planError("SELECT * FROM t");
    assertThat(error).contains("s3a://bucket/tables/t").doesNotContain(SECRET);
  }

  @Test
  void secretsNeverInSummariesPlansOrErrors() {
    String secretOptions =
        ", 'hadoop.fs.s3a.secret.key' = '"
            + SECRET
            + "', 's3.secret-key' = '"
            + SECRET
            + "'"
            + ", 'hadoop.fs.azure.account.key.acc.dfs.core.windows.net' = '"
            + SECRET
            + "'";
    create(
        "t",
        "id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = '" + path("t") + "'" + secretOptions);
    create("src", "id BIGINT, v STRING", ", 'path' = '" + path("src") + "'" + secretOptions);
    String plan = env.explainSql("SELECT * FROM t WHERE id > 5");
    assertThat(plan).contains("filter=[>(id, 5)]").doesNotContain(SECRET);
    String insertPlan = env.explainSql("INSERT INTO t SELECT * FROM src");
    assertThat(insertPlan).contains("Sink(table=").doesNotContain(SECRET);
    TableConfig config =
        TableConfig.from(
            org.apache.flink.configuration.Configuration.fromMap(
                java.util.Map.of("path", path("t"), "hadoop.fs.s3a.secret.key", SECRET)),
            java.util.Map.of("path", path("t"), "hadoop.fs.s3a.secret.key", SECRET));
    assertThat(config.summary()).doesNotContain(SECRET);
    assertThat(config.toString()).doesNotContain(SECRET).contains("******");
    create(
        "bad",
        "id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = '" + path("t") + "', 'no.such.option' = 'x'" + secretOptions);
    assertThat(planError("SELECT * FROM bad")).contains("no.such.option").doesNotContain(SECRET);
    create(
        "bad2",
        "id BIGINT, v INT, PRIMARY KEY (id) NOT ENFORCED",
        ", 'path' = 'file:///x/../t'" + secretOptions);
    assertThat(planError("SELECT * FROM bad2")).contains("'..'").doesNotContain(SECRET);
  }
}
