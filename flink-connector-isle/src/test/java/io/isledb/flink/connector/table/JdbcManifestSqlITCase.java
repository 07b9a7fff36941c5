package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.testing.PostgresServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table with {@code 'manifest.store' = 'jdbc'} on a real PostgreSQL server (isle-core's
 * PostgresServerExtension): two INSERTs (the second overwriting some keys) then a parallel bounded
 * scan equal to a model of the rows; the table's manifest is in PostgreSQL and no object under
 * {@code manifest/} is on the file:// store. Then, in the same planner: a table whose manifest
 * server is unreachable fails planning naming the server (URL and user), and a table with invalid
 * manifest options fails naming the option; neither error holds the password.
 */
class JdbcManifestSqlITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  @TempDir Path dir;

  @Test
  void insertThenBoundedScanWithTheManifestInPostgres() throws Exception {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    String url = PG.newDatabase("connector");
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.getConfig().set("parallelism.default", "2");
    env.executeSql(
        "CREATE TABLE t (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + "'connector' = 'isle', 'path' = '"
            + dir.toUri()
            + "t', 'manifest.store' = 'jdbc', 'manifest.jdbc.url' = '"
            + url
            + "', 'manifest.jdbc.user' = '"
            + PG.user()
            + "', 'manifest.jdbc.password' = '"
            + PG.password()
            + "')");
    TreeMap<Long, String> model = new TreeMap<>();
    for (int round = 0; round < 2; round++) {
      List<String> values = new ArrayList<>();
      // Distinct keys per statement: the order of two rows of one key in one INSERT is undefined.
      java.util.Set<Long> ids = new java.util.TreeSet<>();
      while (ids.size() < 30) {
        ids.add((long) rnd.nextInt(60));
      }
      for (long id : ids) {
        String v = "r" + round + "-" + rnd.nextInt(1000);
        model.put(id, v);
        values.add("(CAST(" + id + " AS BIGINT), '" + v + "')");
      }
      env.executeSql("INSERT INTO t VALUES " + String.join(", ", values)).await();
    }
    List<String> expected = new ArrayList<>();
    model.forEach((k, v) -> expected.add("+I[" + k + ", " + v + "]"));
    assertThat(IsleSqlRoundTripITCase.collect(env.executeSql("SELECT id, v FROM t")))
        .as("seed %s", seed)
        .containsExactlyElementsOf(expected.stream().sorted().toList());

    // The server database is this test's own: every log row is the table's.
    Map<String, Long> logRows = new TreeMap<>();
    try (Connection c = PG.server().connect(url);
        PreparedStatement s =
            c.prepareStatement("SELECT db, count(*) FROM isledb_manifest_log GROUP BY db");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        logRows.put(r.getString(1), r.getLong(2));
      }
    }
    assertThat(logRows).as("the table's log in PostgreSQL").hasSize(1);
    assertThat(logRows.keySet().iterator().next()).contains(dir.getFileName().toString());
    assertThat(logRows.values().iterator().next())
        .as("a version per INSERT")
        .isGreaterThanOrEqualTo(2);
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> all = files.map(p -> dir.relativize(p).toString()).toList();
      assertThat(all).as("tables on the store").anyMatch(p -> p.startsWith("t/"));
      assertThat(all).as("no manifest on the store").noneMatch(p -> p.contains("manifest"));
    }

    // Nothing listens on port 1: planning (the read of the stored schema) fails at the manifest
    // database, which proves it went there and not to <path>/manifest/.
    String secret = "Sql-Manifest-Secret-0815";
    env.executeSql(
        "CREATE TABLE remote (id BIGINT, v STRING) WITH ('connector' = 'isle', 'path' = '"
            + dir.toUri()
            + "remote', 'manifest.store' = 'jdbc', 'manifest.jdbc.url' ="
            + " 'jdbc:postgresql://127.0.0.1:1/nodb?ssl=false', 'manifest.jdbc.user' = 'isle',"
            + " 'manifest.jdbc.password' = '"
            + secret
            + "')");
    Throwable t = catchThrowable(() -> env.explainSql("SELECT * FROM remote"));
    assertThat(IsleTableFactoryTestSupport.chain(t))
        .contains("jdbc:postgresql://127.0.0.1:1/nodb")
        .doesNotContain(secret);
    env.executeSql(
        "CREATE TABLE bad (id BIGINT, v STRING) WITH ('connector' = 'isle', 'path' = '"
            + dir.toUri()
            + "bad', 'manifest.store' = 'jdbc', 'manifest.jdbc.password' = '"
            + secret
            + "')");
    Throwable bad = catchThrowable(() -> env.explainSql("SELECT * FROM bad"));
    assertThat(IsleTableFactoryTestSupport.chain(bad))
        .contains("option 'manifest.jdbc.url' is required")
        .doesNotContain(secret);
  }
}
