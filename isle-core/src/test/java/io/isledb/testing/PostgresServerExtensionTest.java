package io.isledb.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test PostgreSQL server starts (as root too), keeps data over a restart, and cuts clients. */
class PostgresServerExtensionTest {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.ownServer();

  @Test
  void aRestartKeepsCommittedRowsAndCutsOpenConnections() throws Exception {
    String url = PG.newDatabase("restart");
    PG.server().execute(url, "CREATE TABLE t (k int PRIMARY KEY)");
    PG.server().execute(url, "INSERT INTO t VALUES (1)");
    try (Connection open = PG.server().connect(url)) {
      PG.restart();
      assertThatThrownBy(() -> count(open)).isInstanceOf(SQLException.class);
    }
    try (Connection c = PG.server().connect(url)) {
      assertThat(count(c)).isEqualTo(1);
      assertThat(c.getMetaData().getDatabaseProductVersion()).startsWith("14.");
    }
  }

  @Test
  void passwordsAreChecked() {
    assertThat(PG.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
    assertThatThrownBy(
            () -> java.sql.DriverManager.getConnection(PG.jdbcUrl(), PG.user(), "wrong").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  private static int count(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      return r.getInt(1);
    }
  }
}
