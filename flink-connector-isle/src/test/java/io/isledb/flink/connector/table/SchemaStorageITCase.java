package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.connector.codec.SchemaHistory;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema is stored with the data: atomically with the sink's first commit, never at planning
 * (an EXPLAIN writes nothing), and a nullable column added at the end becomes a new version in the
 * same commit as the first rows written with it.
 */
class SchemaStorageITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  @Test
  void schemaLandsWithTheFirstRowsAndPlanningWritesNothing() throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    String path = dir.toUri() + "t";
    env.executeSql(
        "CREATE TABLE t (k BIGINT, v STRING, PRIMARY KEY (k) NOT ENFORCED)"
            + " WITH ('connector' = 'isle', 'path' = '"
            + path
            + "')");
    env.explainSql("INSERT INTO t VALUES (1, 'a')");
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "t");
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      assertThat(db.currentVersion()).as("EXPLAIN must not write").isZero();
    }

    env.executeSql("INSERT INTO t VALUES (1, 'a'), (2, 'b')").await();
    assertSchemaArrivesWithKey(path, new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 1}, "0");

    env.executeSql(
        "CREATE TABLE t2 (k BIGINT, v STRING, extra INT, PRIMARY KEY (k) NOT ENFORCED)"
            + " WITH ('connector' = 'isle', 'path' = '"
            + path
            + "')");
    env.executeSql("INSERT INTO t2 VALUES (3, 'c', 7)").await();
    assertSchemaArrivesWithKey(path, new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 3}, "1");
    assertThat(IsleSqlRoundTripITCase.collect(env.executeSql("SELECT * FROM t2")))
        .containsExactly("+I[1, a, null]", "+I[2, b, null]", "+I[3, c, 7]");
  }

  /**
   * The first version holding {@code key} is the first holding schema version {@code schemaId}
   * (atomic), and that version makes it current.
   */
  private void assertSchemaArrivesWithKey(String path, byte[] key, String schemaId) {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "t");
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Reader reader = db.openReader(ReaderOptions.defaults())) {
      long head = db.currentVersion();
      long firstWithKey = -1;
      long firstWithSchema = -1;
      for (long v = 0; v <= head; v++) {
        try (ReadView view = reader.openVersion(v)) {
          if (firstWithKey < 0 && view.get(key).isPresent()) {
            firstWithKey = v;
            assertThat(view.properties()).containsEntry(SchemaHistory.CURRENT_KEY, schemaId);
          }
          if (firstWithSchema < 0
              && view.properties().containsKey(SchemaHistory.SCHEMA_KEY_PREFIX + schemaId)) {
            firstWithSchema = v;
          }
        }
      }
      assertThat(firstWithKey).as("rows of " + path).isPositive();
      assertThat(firstWithSchema).as("schema and rows in one version").isEqualTo(firstWithKey);
    }
  }
}
