package io.isledb.manifest.jdbc;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.RequestStats;
import io.isledb.util.Internal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one JDBC manifest store and its siblings: a small pool of autocommit
 * connections, opened on demand with the configured password (asked of its supplier each time,
 * never kept in a string of ours, never logged), and the translation of SQL failures into {@link
 * IsleException}s (docs/postgresql.md, "Errors").
 *
 * <p>Every call runs on a pooled connection and is retried once on a fresh one when it failed with
 * a transient error (the connection was lost, the server restarted, a serialization failure): every
 * statement of the store is idempotent, and a create's retry compares bytes, so a retry is safe. A
 * connection that saw such an error is discarded rather than pooled.
 */
@Internal
public final class JdbcConnections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcConnections.class);
  private static final int MAX_IDLE = 8;
  private static final int ATTEMPTS = 2;

  /** SQLState of a write on a read-only server or transaction. */
  static final String READ_ONLY = "25006";

  private final ManifestStoreConfig config;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final EnumMap<RequestStats.RequestKind, LongAdder> counts =
      new EnumMap<>(RequestStats.RequestKind.class);
  private volatile boolean closed;

  /** A statement or transaction run on one connection. */
  @FunctionalInterface
  public interface SqlCall<T> {
    T run(Connection c) throws SQLException;
  }

  public JdbcConnections(ManifestStoreConfig config) {
    this.config = config;
    for (RequestStats.RequestKind k : RequestStats.RequestKind.values()) {
      counts.put(k, new LongAdder());
    }
  }

  /** The server, for messages: redacted URL and user, never the password. */
  public String location() {
    return config.redactedUrl() + " (user " + config.jdbcUser() + ")";
  }

  /** Counts one request (a store call, one or two statements) of {@code kind}. */
  void count(RequestStats.RequestKind kind) {
    counts.get(kind).increment();
  }

  /** The requests issued so far (no bytes counted). */
  RequestStats stats() {
    EnumMap<RequestStats.RequestKind, Long> c = new EnumMap<>(RequestStats.RequestKind.class);
    counts.forEach((k, v) -> c.put(k, v.sum()));
    return new RequestStats(c, 0, 0, Map.of());
  }

  /**
   * Runs {@code call} ({@code what} names it for messages), retrying once on a fresh connection
   * after a transient failure.
   *
   * @throws IsleException UNAVAILABLE if the server could not be reached or the call kept failing
   *     transiently, INVALID_ARGUMENT if the server refuses it for good (read-only, no permission,
   *     no such database)
   */
  public <T> T call(String what, SqlCall<T> call) {
    SQLException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (closed) {
        throw IsleException.closed("the manifest store on " + location());
      }
      Connection c;
      try {
        c = borrow();
      } catch (SQLException e) {
        last = e;
        if (!isTransient(e)) {
          break;
        }
        continue;
      }
      try {
        T out = call.run(c);
        giveBack(c);
        return out;
      } catch (SQLException e) {
        last = e;
        if (isTransient(e)) {
          discard(c);
          LOG.debug("{} on {} failed (attempt {}): {}", what, location(), attempt, e.toString());
          continue;
        }
        rollbackQuietly(c);
        giveBack(c);
        break;
      } catch (RuntimeException e) {
        discard(c);
        throw e;
      }
    }
    throw translate(what, last);
  }

  /** The exception for a failed {@code what}. */
  IsleException translate(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String msg =
        what
            + " on the manifest store "
            + location()
            + " failed: "
            + e.getMessage()
            + " (SQLState "
            + state
            + ")";
    if (state.equals(READ_ONLY)) {
      return IsleException.invalidArgument(readOnlyMessage());
    }
    if (isTransient(e)) {
      return IsleException.unavailable(msg, e);
    }
    if (state.startsWith("28") || state.startsWith("42") || state.equals("3D000")) {
      return IsleException.invalidArgument(msg);
    }
    return IsleException.unavailable(msg, e);
  }

  String readOnlyMessage() {
    return "the manifest store's server "
        + location()
        + " is read-only (a standby, or default_transaction_read_only=on): the JDBC manifest store"
        + " needs a writable primary, whose reads see every committed append (docs/PROTOCOL.md"
        + " section 10, guarantee 3)";
  }

  /**
   * Connection loss (class 08), server shutdown or restart (57P01-57P03), too many connections
   * (53300), serialization failures and deadlocks (class 40), and I/O failures without a state.
   */
  static boolean isTransient(SQLException e) {
    String s = e.getSQLState();
    return s == null
        || s.startsWith("08")
        || s.startsWith("57P")
        || s.startsWith("53")
        || s.startsWith("40");
  }

  private Connection borrow() throws SQLException {
    Connection c = idle.pollFirst();
    if (c != null) {
      return c;
    }
    Properties p = new Properties();
    if (config.jdbcUser() != null) {
      p.setProperty("user", config.jdbcUser());
    }
    String pw = config.jdbcPassword().get();
    if (pw != null) {
      p.setProperty("password", pw);
    }
    c = DriverManager.getConnection(config.jdbcUrl(), p);
    c.setAutoCommit(true);
    return c;
  }

  private void giveBack(Connection c) {
    if (closed || idle.size() >= MAX_IDLE) {
      discard(c);
      return;
    }
    idle.addFirst(c);
    if (closed) { // close() ran meanwhile: do not leave it behind
      drain();
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // the connection is given back and fails its next use, which then discards it
    }
  }

  private static void discard(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // already broken
    }
  }

  private void drain() {
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      discard(c);
    }
  }

  /** Closes every pooled connection; calls after this fail with CLOSED. */
  @Override
  public void close() {
    closed = true;
    drain();
  }
}
