package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code manifest.*} table options through SQL planning: the planner's first read of the table
 * (its stored schema) opens the database with the configured manifest store, and errors name the
 * option or the manifest database, never the password.
 */
class ManifestStoreSqlTest {
  private static final String PASSWORD = "Sql-Manifest-Secret-0815";

  @TempDir Path dir;

  private String table(String name, String manifestOptions) {
    return "CREATE TABLE "
        + name
        + " (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'isle',"
        + " 'path' = '"
        + dir.toUri()
        + name
        + "'"
        + manifestOptions
        + ")";
  }

  @Test
  void plansWithTheConfiguredManifestStoreAndNamesBadOptions() {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.executeSql(table("plain", ", 'manifest.store' = 'object-store'"));
    assertThat(env.explainSql("SELECT * FROM plain")).contains("plain");

    // Nothing listens on port 1: planning fails opening the manifest store, which proves the
    // planner's read of the table went to the jdbc store and not to <path>/manifest/.
    env.executeSql(
        table(
            "remote",
            ", 'manifest.store' = 'jdbc', 'manifest.jdbc.url' ="
                + " 'jdbc:postgresql://127.0.0.1:1/nodb', 'manifest.jdbc.user' = 'isle',"
                + " 'manifest.jdbc.password' = '"
                + PASSWORD
                + "'"));
    Throwable t = catchThrowable(() -> env.explainSql("SELECT * FROM remote"));
    assertThat(t).isNotNull();
    String chain = IsleTableFactoryTestSupport.chain(t);
    assertThat(chain).contains("jdbc:postgresql://127.0.0.1:1/nodb").doesNotContain(PASSWORD);

    // An invalid manifest option fails the table's first use naming the option.
    env.executeSql(
        table("bad", ", 'manifest.store' = 'jdbc', 'manifest.jdbc.password' = '" + PASSWORD + "'"));
    Throwable bad = catchThrowable(() -> env.explainSql("SELECT * FROM bad"));
    assertThat(IsleTableFactoryTestSupport.chain(bad))
        .contains("option 'manifest.jdbc.url' is required")
        .doesNotContain(PASSWORD);
  }
}
