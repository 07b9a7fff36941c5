package io.isledb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A storage server running as a child process on 127.0.0.1 (s3proxy, Azurite): started, polled
 * until it answers HTTP, and killed when closed or when the JVM exits. Package-private plumbing
 * behind {@link S3ProxyServer} and {@link AzuriteServer}.
 */
final class ChildServer implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);

  private final String name;
  private final Process process;
  private final Path workDir;
  private final Path log;
  private final int port;
  private final Thread shutdownHook;

  private ChildServer(String name, Process process, Path workDir, Path log, int port) {
    this.name = name;
    this.process = process;
    this.workDir = workDir;
    this.log = log;
    this.port = port;
    this.shutdownHook =
        new Thread(
            () -> {
              kill();
              deleteTree(workDir);
            },
            name + "-killer");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Builds the command line for a given port. */
  interface CommandFactory {
    List<String> command(int port) throws IOException;
  }

  /**
   * Starts the server on a free port and waits until it answers HTTP. A port picked free can be
   * taken by someone else before the child binds it, so a failed start is retried on a new port.
   */
  static ChildServer start(String name, Path workDir, CommandFactory factory) throws IOException {
    IOException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      Path log = workDir.resolve(name + "-" + attempt + ".log");
      Process p =
          new ProcessBuilder(factory.command(port))
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      ChildServer server = new ChildServer(name, p, workDir, log, port);
      try {
        server.awaitServing();
        return server;
      } catch (IOException e) {
        server.kill();
        last = e;
      }
    }
    throw last;
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitServing() throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            name + " exited with " + process.exitValue() + " before serving; log:\n" + logTail());
      }
      try {
        http.send(probe, HttpResponse.BodyHandlers.discarding());
        return; // any HTTP status means it is serving requests
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + name, e);
      }
      try {
        // Polling pause; it also notices the child dying at once.
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + name, e);
      }
    }
    throw new IOException(
        name
            + " did not answer on port "
            + port
            + " within "
            + START_DEADLINE
            + "; log:\n"
            + logTail());
  }

  /** The last lines the server printed, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  int port() {
    return port;
  }

  /** The server process's id, for readers of its CPU time. */
  long pid() {
    return process.pid();
  }

  Path workDir() {
    return workDir;
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
    deleteTree(workDir);
  }

  /** Best effort: a leftover temp directory must not fail a test run. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("cannot delete " + dir + ": " + e);
    }
  }
}
