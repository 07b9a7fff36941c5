package io.isledb.manifest.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.PgResponseDroppingProxy;
import io.isledb.testing.PostgresServerExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JDBC manifest store when the server misbehaves: a restarted server (connections cut), a
 * read-only server, a schema newer than the code, and no connection left behind once a database,
 * its readers and its GC are closed. Runs on a server of its own (it restarts it).
 */
class JdbcManifestStoreFailuresTest {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.ownServer();

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void aRestartedServerLosesNoCommitAndPooledConnectionsAreReplaced() {
    String url = PG.newDatabase("restart");
    try (ObjectStore objects = new InMemoryObjectStore();
        JdbcManifestStore store = JdbcManifestStore.open(objects, PG.config(url))) {
      assertThat(store.appendIfAbsent(1, b("e1"))).isTrue();
      PG.restart(); // the pooled connection is dead now
      // The store's one retry on a fresh connection hides the restart from the caller.
      assertThat(store.readLog(1)).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("e1")));
      assertThat(store.appendIfAbsent(2, b("e2"))).isTrue();
      PG.server().stop();
      assertThatThrownBy(() -> store.appendIfAbsent(3, b("e3")))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE);
                assertThat(e.getCause()).isInstanceOf(SQLException.class);
                assertThat(e.getMessage())
                    .contains("appending log entry 3", "127.0.0.1")
                    .doesNotContain(PG.password());
              });
      PG.server().start();
      assertThat(store.readLogRange(1, 10)).hasSize(2);
      assertThat(store.appendIfAbsent(3, b("e3"))).isTrue();
    }
  }

  @Test
  void aLostResponseToACommittedInsertIsResolvedByTheStoreAsSuccess() throws Exception {
    String url = PG.newDatabase("lost");
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (PgResponseDroppingProxy proxy = new PgResponseDroppingProxy(PG.server().port());
        ObjectStore objects = new InMemoryObjectStore();
        JdbcManifestStore store = JdbcManifestStore.open(objects, PG.config(proxy.jdbcUrl(db)))) {
      proxy.dropNextResponseTo("INSERT INTO isledb_manifest_log");
      assertThat(store.appendIfAbsent(1, b("mine")))
          .as("the retry on a fresh connection finds its own bytes")
          .isTrue();
      assertThat(proxy.dropped()).as("the first response was lost").isEqualTo(1);
      assertThat(store.appendIfAbsent(1, b("a rival's"))).isFalse();
      assertThat(store.readLogRange(1, 10)).hasSize(1);
      assertThat(store.readLog(1)).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("mine")));

      proxy.dropNextResponseTo("INSERT INTO isledb_manifest_doc");
      assertThat(store.createIfAbsent(ManifestPaths.SETTINGS, b("settings"))).isTrue();
      assertThat(proxy.dropped()).isEqualTo(2);
    }
  }

  @Test
  void aReadOnlyServerIsRefusedWithAClearError() {
    String url = PG.newDatabase("readonly");
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (ObjectStore objects = new InMemoryObjectStore();
        JdbcManifestStore store = JdbcManifestStore.open(objects, PG.config(url))) {
      assertThat(store.appendIfAbsent(1, b("e1"))).isTrue();
      PG.server()
          .execute(
              PG.jdbcUrl(), "ALTER DATABASE " + db + " SET default_transaction_read_only = on");
      PG.restart(); // new sessions read the setting
      assertThatThrownBy(() -> store.appendIfAbsent(2, b("e2")))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("read-only")
          .hasMessageContaining("writable primary");
      assertThatThrownBy(() -> JdbcManifestStore.open(new InMemoryObjectStore(), PG.config(url)))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("read-only");
      assertThat(store.readLog(1)).as("reads still work").isPresent();
    }
  }

  @Test
  void aNewerSchemaIsRefusedAndTheCurrentOneIsRecorded() throws SQLException {
    String url = PG.newDatabase("schema");
    JdbcManifestStore.open(new InMemoryObjectStore(), PG.config(url)).close();
    JdbcManifestStore.open(new InMemoryObjectStore(), PG.config(url)).close(); // no migration
    try (Connection c = PG.server().connect(url);
        ResultSet r =
            c.createStatement().executeQuery("SELECT version FROM isledb_schema_version")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isEqualTo(JdbcSchema.VERSION);
      assertThat(r.next()).isFalse();
    }
    PG.server().execute(url, "INSERT INTO isledb_schema_version (version) VALUES (99)");
    assertThatThrownBy(() -> JdbcManifestStore.open(new InMemoryObjectStore(), PG.config(url)))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("schema version 99");
  }

  @Test
  void noConnectionIsLeftOnceEveryRoleClosed() throws SQLException {
    String url = PG.newDatabase("leak");
    String db = url.substring(url.lastIndexOf('/') + 1);
    DBOptions options = DBOptions.defaults().withManifestStore(PG.config(url));
    try (ObjectStore objects = new InMemoryObjectStore()) {
      try (IsleDB isle = IsleDB.open(objects, options)) {
        try (Writer w = isle.openWriter(WriterOptions.defaults())) {
          w.put(b("k"), b("v"));
          w.flush();
        }
        isle.openGarbageCollector(GcOptions.defaults()).runOnce();
        assertThat(connections(db)).isPositive();
      }
      try (Reader r = IsleDB.openReader(objects, ReaderOptions.defaults(), options);
          TailingReader t =
              IsleDB.openTailingReader(objects, TailingReaderOptions.defaults(), options)) {
        assertThat(r.snapshot().get(b("k"))).hasValue(b("v"));
        assertThat(connections(db)).isPositive();
      }
      awaitNoConnections(db);
    }
  }

  /** The sessions open on {@code db} now. */
  private static long connections(String db) throws SQLException {
    try (Connection c = PG.server().connect(PG.jdbcUrl());
        PreparedStatement p =
            c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
      p.setString(1, db);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  /** Fails unless {@code db} has no session within a bound (a backend exits after its client). */
  private static void awaitNoConnections(String db) {
    long[] n = {-1};
    io.isledb.testing.Awaiting.until(
        () -> {
          try {
            n[0] = connections(db);
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
          return n[0] == 0;
        },
        Duration.ofSeconds(20),
        () -> "no session on " + db + " after every role closed; still " + n[0]);
  }
}
