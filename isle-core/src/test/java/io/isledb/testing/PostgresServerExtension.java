package io.isledb.testing;

import io.isledb.ManifestStoreConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a real PostgreSQL server ({@link PostgresServer}: Maven Central's PostgreSQL
 * 14 binaries, 127.0.0.1 on a random free port, run as {@code nobody} when the tests run as root):
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();
 *
 * @Test void commits() {
 *   DBOptions o = DBOptions.defaults().withManifestStore(PG.config());   // or PG.jdbcUrl(),
 *   ...                                                                  // PG.user(), PG.password()
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #shared()}: all test classes of a JVM share one server, started by the first class
 *       that needs it and stopped when the test plan ends (or the JVM exits). Tests isolate
 *       themselves by unique database prefixes (a manifest store's rows are keyed by them) or by
 *       {@link #newDatabase}. Never restart or reconfigure the shared server.
 *   <li>{@link #ownServer()}: a server of this test class only, started before its first test and
 *       stopped after its last; {@link #restart()} stops it with a fast shutdown (connections are
 *       cut, committed data stays) and starts it again on the same port, for restart tests.
 * </ul>
 */
public final class PostgresServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final boolean own;
  private PostgresServer server;

  private PostgresServerExtension(boolean own) {
    this.own = own;
  }

  /** The JVM's shared server. */
  public static PostgresServerExtension shared() {
    return new PostgresServerExtension(false);
  }

  /** A server of the registering class alone (it may be restarted). */
  public static PostgresServerExtension ownServer() {
    return new PostgresServerExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (own) {
      server = PostgresServer.startNew();
      return;
    }
    server = PostgresServer.shared();
    // The root store outlives every test class; JUnit closes its resources when the plan ends.
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(
            PostgresServer.class.getName(),
            key -> (ExtensionContext.Store.CloseableResource) PostgresServer::closeShared);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (own && server != null) {
      server.close();
      server = null;
    }
  }

  /** The server (started). */
  public PostgresServer server() {
    if (server == null) {
      throw new IllegalStateException("the PostgreSQL server is used before beforeAll");
    }
    return server;
  }

  /** The JDBC URL of the server's default database ({@code postgres}). */
  public String jdbcUrl() {
    return server().jdbcUrl();
  }

  /** The user to connect as. */
  public String user() {
    return server().user();
  }

  /** The user's password. */
  public String password() {
    return server().password();
  }

  /** A fresh database on the server; returns its JDBC URL. */
  public String newDatabase(String hint) {
    return server().newDatabase(hint);
  }

  /** The JDBC manifest store on the server's default database. */
  public ManifestStoreConfig config() {
    return config(jdbcUrl());
  }

  /** The JDBC manifest store on the database at {@code url} of this server. */
  public ManifestStoreConfig config(String url) {
    String pw = password();
    return ManifestStoreConfig.jdbc(url, user(), () -> pw);
  }

  /**
   * Restarts the server (fast shutdown, then start on the same port); only for {@link
   * #ownServer()}.
   */
  public void restart() {
    if (!own) {
      throw new IllegalStateException("restart a server of the test class (ownServer()) only");
    }
    server().restart();
  }
}
