package io.isledb.manifest.jdbc;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables of the JDBC manifest store and their migrations (docs/postgresql.md, "Schema"). A
 * store creates or migrates them when it opens, in one transaction under an advisory lock, so that
 * processes opening at once do not race; {@code isledb_schema_version} records every version
 * applied. A schema newer than this code knows is refused: an older IsleDB must not write a format
 * it does not understand.
 */
@Internal
public final class JdbcSchema {
  /** The schema version this code writes and reads. */
  public static final int VERSION = 1;

  /** The log: one row per (database, sequence); the primary key makes an append atomic. */
  static final String LOG = "isledb_manifest_log";

  /** Every other manifest entry (snapshots, CURRENT, settings, pins, leases, GC state). */
  static final String DOCS = "isledb_manifest_doc";

  static final String VERSIONS = "isledb_schema_version";

  /** An arbitrary constant key of the advisory lock that serialises migrations. */
  private static final long MIGRATION_LOCK = 0x15_1ed_b_0001L;

  /** The statements of each version, from 1 on. */
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS "
                  + LOG
                  + " (db text NOT NULL, seq bigint NOT NULL, edit bytea NOT NULL,"
                  + " created_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                  + " PRIMARY KEY (db, seq))",
              "CREATE TABLE IF NOT EXISTS "
                  + DOCS
                  + " (db text NOT NULL, name text COLLATE \"C\" NOT NULL, data bytea NOT NULL,"
                  + " modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                  + " PRIMARY KEY (db, name))"));

  private JdbcSchema() {}

  /**
   * Creates or migrates the schema on {@code c} (autocommit on return). Refuses a read-only server
   * before anything else.
   *
   * @throws SQLException on failure (the caller translates it)
   * @throws IsleException INVALID_ARGUMENT if the server is read-only or its schema is newer
   */
  static void migrate(Connection c, JdbcConnections connections) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('transaction_read_only')")) {
      r.next();
      if ("on".equals(r.getString(1))) {
        throw IsleException.invalidArgument(connections.readOnlyMessage());
      }
    }
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + VERSIONS
              + " (version int PRIMARY KEY,"
              + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
      int current;
      try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + VERSIONS)) {
        r.next();
        current = r.getInt(1);
      }
      if (current > VERSION) {
        throw IsleException.invalidArgument(
            "the manifest store "
                + connections.location()
                + " has schema version "
                + current
                + ", newer than this IsleDB's "
                + VERSION
                + ": upgrade IsleDB");
      }
      for (int v = current + 1; v <= VERSION; v++) {
        for (String sql : MIGRATIONS.get(v - 1)) {
          s.execute(sql);
        }
        s.execute("INSERT INTO " + VERSIONS + " (version) VALUES (" + v + ")");
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}
