package io.isledb.manifest.jdbc;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import io.isledb.util.Internal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The manifest of a database in a PostgreSQL server (docs/postgresql.md): log entries are rows of
 * {@code isledb_manifest_log} keyed by (database, sequence), every other entry a row of {@code
 * isledb_manifest_doc} keyed by (database, name), where "database" is the location of the
 * database's object store (base URI and prefix), so any number of databases share the tables.
 *
 * <p>A create is {@code INSERT ... ON CONFLICT DO NOTHING} (never an upsert): the primary key lets
 * exactly one of concurrent creates insert. When no row was inserted, or the response was lost and
 * the call is retried on a fresh connection, the row in place is read and compared with the bytes
 * to create: equal bytes are this caller's own landed create (success), others a lost race.
 * Modification times are the server's {@code clock_timestamp()}, one clock for every entry. Reads
 * go to the server written to (a primary); a read-only server is refused at open.
 */
@Internal
public final class JdbcManifestStore implements ManifestStore {
  private final ObjectStore objectStore;
  private final JdbcConnections connections;
  private final String db;
  private final boolean ownsConnections;

  private JdbcManifestStore(
      ObjectStore objectStore, JdbcConnections connections, boolean ownsConnections) {
    this.objectStore = objectStore;
    this.connections = connections;
    this.db = objectStore.location();
    this.ownsConnections = ownsConnections;
  }

  /**
   * Opens the manifest of the database on {@code objectStore} in the server {@code config} names,
   * creating or migrating the schema ({@link JdbcSchema}). The caller closes it.
   *
   * @throws IsleException INVALID_ARGUMENT if no JDBC driver takes the URL, the server is read-only
   *     or its schema is newer than this code; UNAVAILABLE if the server cannot be reached
   */
  public static JdbcManifestStore open(ObjectStore objectStore, ManifestStoreConfig config) {
    try {
      DriverManager.getDriver(config.jdbcUrl());
    } catch (SQLException e) {
      throw IsleException.invalidArgument(
          "no JDBC driver on the classpath accepts "
              + config.redactedUrl()
              + " (DBOptions.manifestStore); add the server's driver, for PostgreSQL"
              + " org.postgresql:postgresql (docs/postgresql.md)");
    }
    JdbcConnections connections = new JdbcConnections(config);
    try {
      connections.call(
          "creating or migrating the schema",
          c -> {
            JdbcSchema.migrate(c, connections);
            return null;
          });
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
    return new JdbcManifestStore(objectStore, connections, true);
  }

  @Override
  public String location() {
    return "manifest of " + db + " on " + connections.location();
  }

  @Override
  public String prefix() {
    return objectStore.prefix();
  }

  @Override
  public ManifestStore sibling(String prefix) {
    return new JdbcManifestStore(objectStore.sibling(prefix), connections, false);
  }

  @Override
  public RequestStats stats() {
    return connections.stats();
  }

  /** Atomicity comes from the primary key; a read-only server was refused at open. */
  @Override
  public void checkAtomicCreate() {}

  // ---- the log ----

  @Override
  public boolean appendIfAbsent(long seq, byte[] edit) {
    if (seq < 1) {
      throw IsleException.internal("log sequence " + seq + " of " + db + " is not positive");
    }
    count(RequestKind.CREATE_IF_ABSENT);
    return connections.call(
        "appending log entry " + seq + " of " + db,
        c -> {
          if (insert(c, "INSERT INTO " + JdbcSchema.LOG + " (db, seq, edit)", seq, null, edit)) {
            return true;
          }
          // Taken: by this call's own earlier attempt whose response was lost, or by a rival.
          return readLog(c, seq).map(b -> Arrays.equals(b, edit)).orElse(false);
        });
  }

  @Override
  public Optional<byte[]> readLog(long seq) {
    count(RequestKind.GET);
    return connections.call("reading log entry " + seq + " of " + db, c -> readLog(c, seq));
  }

  private Optional<byte[]> readLog(Connection c, long seq) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT edit FROM " + JdbcSchema.LOG + " WHERE db = ? AND seq = ?")) {
      p.setString(1, db);
      p.setLong(2, seq);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
      }
    }
  }

  /** One query for the whole range, cut at the first free slot. */
  @Override
  public List<byte[]> readLogRange(long fromSeq, int max) {
    count(RequestKind.GET_RANGE);
    return connections.call(
        "reading log entries from " + fromSeq + " of " + db,
        c -> {
          List<byte[]> out = new ArrayList<>();
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT seq, edit FROM "
                      + JdbcSchema.LOG
                      + " WHERE db = ? AND seq >= ? AND seq < ? ORDER BY seq")) {
            p.setString(1, db);
            p.setLong(2, fromSeq);
            p.setLong(3, fromSeq + Math.max(0, max));
            try (ResultSet r = p.executeQuery()) {
              long expected = fromSeq;
              while (r.next()) {
                byte[] e = r.getBytes(2);
                if (r.getLong(1) != expected || e.length == 0) {
                  break;
                }
                out.add(e);
                expected++;
              }
            }
          }
          return out;
        });
  }

  // ---- named entries ----

  @Override
  public Optional<byte[]> get(String name) {
    long seq = logSeq(name);
    if (seq > 0) {
      return readLog(seq);
    }
    count(RequestKind.GET);
    return connections.call("reading " + name + " of " + db, c -> getDoc(c, name));
  }

  private Optional<byte[]> getDoc(Connection c, String name) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT data FROM " + JdbcSchema.DOCS + " WHERE db = ? AND name = ?")) {
      p.setString(1, db);
      p.setString(2, name);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
      }
    }
  }

  @Override
  public void put(String name, byte[] data) {
    if (logSeq(name) > 0) {
      throw IsleException.internal(name + " is a log entry: appended only, never put");
    }
    count(RequestKind.PUT);
    connections.call(
        "writing " + name + " of " + db,
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO "
                      + JdbcSchema.DOCS
                      + " (db, name, data) VALUES (?, ?, ?) ON CONFLICT (db, name) DO UPDATE"
                      + " SET data = excluded.data, modified_at = clock_timestamp()")) {
            p.setString(1, db);
            p.setString(2, checked(name));
            p.setBytes(3, data);
            p.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    long seq = logSeq(name);
    if (seq > 0) {
      return appendIfAbsent(seq, data);
    }
    count(RequestKind.CREATE_IF_ABSENT);
    return connections.call(
        "creating " + name + " of " + db,
        c -> {
          if (insert(c, "INSERT INTO " + JdbcSchema.DOCS + " (db, name, data)", 0, name, data)) {
            return true;
          }
          return getDoc(c, name).map(b -> Arrays.equals(b, data)).orElse(false);
        });
  }

  /** Inserts a log row (name null) or a document row unless its key exists; true if inserted. */
  private boolean insert(Connection c, String insertInto, long seq, String name, byte[] data)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(insertInto + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      p.setString(1, db);
      if (name == null) {
        p.setLong(2, seq);
      } else {
        p.setString(2, checked(name));
      }
      p.setBytes(3, data);
      return p.executeUpdate() == 1;
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    count(RequestKind.STAT);
    long seq = logSeq(name);
    return connections.call(
        "reading the size of " + name + " of " + db,
        c -> {
          List<ObjectInfo> found =
              seq > 0
                  ? query(c, logQuery(" AND seq = ?"), seq, null)
                  : query(c, docQuery(" AND name = ?"), 0, checked(name));
          return found.stream().findFirst();
        });
  }

  @Override
  public List<ObjectInfo> list(String namePrefix) {
    checked(namePrefix);
    count(RequestKind.LIST_PAGE);
    return connections.call(
        "listing " + namePrefix + " of " + db,
        c -> {
          List<ObjectInfo> out = new ArrayList<>();
          if (ManifestPaths.LOG_DIR.startsWith(namePrefix)) {
            out.addAll(query(c, logQuery(""), 0, null));
          } else if (namePrefix.startsWith(ManifestPaths.LOG_DIR)) {
            query(c, logQuery(""), 0, null).stream()
                .filter(o -> o.name().startsWith(namePrefix))
                .forEach(out::add);
          }
          out.addAll(query(c, docQuery(" AND starts_with(name, ?)"), 0, namePrefix));
          out.sort(Comparator.comparing(ObjectInfo::name));
          return out;
        });
  }

  private String logQuery(String where) {
    return "SELECT seq, octet_length(edit), "
        + "(extract(epoch FROM created_at) * 1000)::bigint FROM "
        + JdbcSchema.LOG
        + " WHERE db = ?"
        + where;
  }

  private String docQuery(String where) {
    return "SELECT name, octet_length(data), "
        + "(extract(epoch FROM modified_at) * 1000)::bigint FROM "
        + JdbcSchema.DOCS
        + " WHERE db = ?"
        + where;
  }

  /** Runs a stat/list query; binds {@code seq} (if positive) or {@code name} (if not null). */
  private List<ObjectInfo> query(Connection c, String sql, long seq, String name)
      throws SQLException {
    List<ObjectInfo> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, db);
      if (seq > 0) {
        p.setLong(2, seq);
      } else if (name != null) {
        p.setString(2, name);
      }
      boolean log = sql.contains(JdbcSchema.LOG);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          String n = log ? ManifestPaths.log(r.getLong(1)) : r.getString(1);
          out.add(new ObjectInfo(n, r.getLong(2), r.getLong(3)));
        }
      }
    }
    return out;
  }

  @Override
  public void delete(String name) {
    deleteAll(List.of(name));
  }

  /** One statement per table for the whole batch. */
  @Override
  public void deleteAll(Collection<String> names) {
    List<Long> seqs = new ArrayList<>();
    List<String> docs = new ArrayList<>();
    for (String n : names) {
      long seq = logSeq(n);
      if (seq > 0) {
        seqs.add(seq);
      } else {
        docs.add(checked(n));
      }
    }
    if (seqs.isEmpty() && docs.isEmpty()) {
      return;
    }
    count(RequestKind.DELETE);
    connections.call(
        "deleting " + names.size() + " manifest entries of " + db,
        c -> {
          if (!seqs.isEmpty()) {
            try (PreparedStatement p =
                c.prepareStatement(
                    "DELETE FROM " + JdbcSchema.LOG + " WHERE db = ? AND seq = ANY (?)")) {
              p.setString(1, db);
              p.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
              p.executeUpdate();
            }
          }
          if (!docs.isEmpty()) {
            try (PreparedStatement p =
                c.prepareStatement(
                    "DELETE FROM " + JdbcSchema.DOCS + " WHERE db = ? AND name = ANY (?)")) {
              p.setString(1, db);
              p.setArray(2, c.createArrayOf("text", docs.toArray()));
              p.executeUpdate();
            }
          }
          return null;
        });
  }

  /** The server's clock stamps the entries, not the object store's. */
  @Override
  public boolean hasOwnClock() {
    return true;
  }

  /** Rows are written whole: there are no temporaries. */
  @Override
  public int deleteAbandonedTemporaries(long olderThanMillis) {
    return 0;
  }

  /** Closes the connections (a sibling shares its opener's and closes nothing). */
  @Override
  public void close() {
    if (ownsConnections) {
      connections.close();
    }
  }

  @Override
  public String toString() {
    return location();
  }

  private void count(RequestKind kind) {
    connections.count(kind);
  }

  /** The sequence of a log entry's name, or 0 for any other name. */
  private static long logSeq(String name) {
    if (!checked(name).startsWith(ManifestPaths.LOG_DIR)) {
      return 0;
    }
    long seq = ManifestPaths.seqOf(name);
    if (seq < 1 || !name.equals(ManifestPaths.log(seq))) {
      throw IsleException.internal("'" + name + "' is no log entry name");
    }
    return seq;
  }

  private static String checked(String name) {
    if (!name.startsWith(ManifestPaths.MANIFEST_DIR)) {
      throw IsleException.internal(
          "'"
              + name
              + "' is not a manifest entry (names start with "
              + ManifestPaths.MANIFEST_DIR
              + ")");
    }
    return name;
  }
}
