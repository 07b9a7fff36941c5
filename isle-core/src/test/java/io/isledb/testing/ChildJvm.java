package io.isledb.testing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test's child JVM: {@code java -cp <the test classpath> <main class> args...}, a main class in
 * test code that uses {@link ChildSide}. Everything the child prints goes to a log file (under
 * {@code target/child-logs/}); lines starting with {@code @@} are <em>markers</em>, which the
 * parent waits for with {@link #await} (a READY/ACK protocol over stdout: no sleeping as
 * synchronisation). The parent sends commands on the child's stdin ({@link #send}) and kills it
 * with SIGKILL ({@link #kill}: {@code Process.destroyForcibly()} on Linux).
 *
 * <p>A child never outlives its test: {@link #close()} kills it (use try-with-resources), a JVM
 * shutdown hook kills every child still running, and the child itself halts when its stdin reaches
 * end-of-file, which happens when the parent dies for any reason.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicLong COUNTER = new AtomicLong();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(c -> c.process.destroyForcibly()), "child-jvm-killer"));
  }

  /** One marker line: {@code @@KIND f0 f1 ...}. */
  public record Marker(String kind, List<String> fields, int index) {
    public String field(int i) {
      return fields.get(i);
    }

    public long longField(int i) {
      return Long.parseLong(fields.get(i));
    }

    @Override
    public String toString() {
      return "@@" + kind + (fields.isEmpty() ? "" : " " + String.join(" ", fields));
    }
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final Writer stdin;
  private final Thread pump;
  private final List<Marker> markers = new ArrayList<>();
  private final long started = System.nanoTime();
  private final Map<String, Integer> consumed = new HashMap<>();
  private boolean ended;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.pump = new Thread(this::pump, "child-output " + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code mainClass} with {@code args} and the default JVM flags. */
  public static ChildJvm start(String name, Class<?> mainClass, List<String> args) {
    return start(name, mainClass, args, List.of());
  }

  /**
   * Starts {@code mainClass} with {@code args}, the default JVM flags ({@link #defaultJvmFlags})
   * and {@code extraJvmFlags}.
   */
  public static ChildJvm start(
      String name, Class<?> mainClass, List<String> args, List<String> extraJvmFlags) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(defaultJvmFlags());
    cmd.addAll(extraJvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    try {
      Path dir = logDir();
      Path log =
          dir.resolve(name + "-" + COUNTER.incrementAndGet() + "-" + System.nanoTime() + ".log");
      List<String> shown = new ArrayList<>(cmd);
      shown.set(shown.indexOf("-cp") + 1, "<test classpath>");
      Files.writeString(log, String.join(" ", shown) + "\n", StandardCharsets.UTF_8);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      ChildJvm c = new ChildJvm(name, p, log);
      LIVE.add(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child JVM " + name, e);
    }
  }

  /**
   * Flags for quick start-up of short-lived children (C1 only, serial GC, small heap), plus the
   * parent's {@code --add-opens} flags.
   */
  public static List<String> defaultJvmFlags() {
    List<String> flags =
        new ArrayList<>(
            Arrays.asList(
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-XX:-UsePerfData",
                "-Xshare:auto",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
    flags.addAll(ManifestStoreSpec.current().jvmFlags()); // the child's manifest store is ours
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens")) {
        flags.add(a);
      }
    }
    return flags;
  }

  private static Path logDir() throws IOException {
    String configured = System.getProperty("isledb.child.logdir");
    Path dir =
        configured != null ? Path.of(configured) : Path.of("target", "child-logs").toAbsolutePath();
    return Files.createDirectories(dir);
  }

  private void pump() {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(String.format("%6d ", (System.nanoTime() - started) / 1_000_000));
        out.write(line);
        out.write('\n');
        int at = line.indexOf(ChildSide.MARKER);
        if (at >= 0) {
          // A marker is a whole line; tolerate a log line glued in front of it.
          String[] parts = line.substring(at + ChildSide.MARKER.length()).trim().split(" ");
          if (parts.length > 0 && !parts[0].isEmpty()) {
            out.flush();
            synchronized (this) {
              markers.add(
                  new Marker(
                      parts[0],
                      List.of(Arrays.copyOfRange(parts, 1, parts.length)),
                      markers.size()));
              notifyAll();
            }
          }
        }
      }
    } catch (IOException e) {
      // The process died; fall through.
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /** The child's name (for messages). */
  public String name() {
    return name;
  }

  /** The file holding everything the child printed. */
  public Path logFile() {
    return log;
  }

  /**
   * The next marker of {@code kind} not returned before, waiting at most {@code timeout}. Fails
   * (with the child's log) if the child printed {@code FAILED}, exited, or the time ran out.
   */
  public Marker await(String kind, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        Marker m = nextUnconsumed(kind);
        if (m != null) {
          consumed.put(kind, m.index + 1);
          return m;
        }
        Marker failed = firstOf("FAILED");
        if (failed != null && !kind.equals("FAILED")) {
          throw new AssertionError(
              name
                  + " failed while the test waited for @@"
                  + kind
                  + ": "
                  + failed
                  + "\n"
                  + logTail());
        }
        if (ended) {
          throw new AssertionError(
              name
                  + " ended (exit "
                  + exitCodeOrUnknown()
                  + ") while the test waited for @@"
                  + kind
                  + "\n"
                  + logTail());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name + " printed no @@" + kind + " within " + timeout + "\n" + logTail());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for @@" + kind + " of " + name, e);
        }
      }
    }
  }

  /** Waits for the first of several marker kinds (consuming only the one returned). */
  public Marker awaitAny(Duration timeout, String... kinds) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        Marker best = null;
        for (String k : kinds) {
          Marker m = nextUnconsumed(k);
          if (m != null && (best == null || m.index < best.index)) {
            best = m;
          }
        }
        if (best != null) {
          consumed.put(best.kind, best.index + 1);
          return best;
        }
        Marker failed = firstOf("FAILED");
        if (failed != null) {
          throw new AssertionError(name + " failed: " + failed + "\n" + logTail());
        }
        if (ended) {
          throw new AssertionError(
              name
                  + " ended (exit "
                  + exitCodeOrUnknown()
                  + ") while the test waited for one of "
                  + Arrays.toString(kinds)
                  + "\n"
                  + logTail());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name
                  + " printed none of "
                  + Arrays.toString(kinds)
                  + " within "
                  + timeout
                  + "\n"
                  + logTail());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + name, e);
        }
      }
    }
  }

  private Marker nextUnconsumed(String kind) {
    int from = consumed.getOrDefault(kind, 0);
    for (int i = from; i < markers.size(); i++) {
      if (markers.get(i).kind.equals(kind)) {
        return markers.get(i);
      }
    }
    return null;
  }

  private Marker firstOf(String kind) {
    for (Marker m : markers) {
      if (m.kind.equals(kind)) {
        return m;
      }
    }
    return null;
  }

  /** Every marker of {@code kind} printed so far (consumed or not), in order. */
  public synchronized List<Marker> markers(String kind) {
    List<Marker> out = new ArrayList<>();
    for (Marker m : markers) {
      if (m.kind.equals(kind)) {
        out.add(m);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The newest marker of {@code kind} so far, or null. */
  public synchronized Marker last(String kind) {
    for (int i = markers.size() - 1; i >= 0; i--) {
      if (markers.get(i).kind.equals(kind)) {
        return markers.get(i);
      }
    }
    return null;
  }

  /** Sends one command line to the child's stdin. */
  public synchronized void send(String command) {
    try {
      stdin.write(command);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError("cannot send '" + command + "' to " + name + "\n" + logTail(), e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL (no shutdown hooks, no flushing in the child), then waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError(name + " survived SIGKILL for 30 s");
      }
      pump.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(this);
  }

  /** Waits for the child to exit by itself and returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not exit within " + timeout + "\n" + logTail());
      }
      pump.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + name + " to exit", e);
    }
    LIVE.remove(this);
    return process.exitValue();
  }

  private String exitCodeOrUnknown() {
    try {
      process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return process.isAlive() ? "?" : String.valueOf(process.exitValue());
  }

  /** The last lines of the child's output (for failure messages). */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- last lines of "
          + log
          + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log " + log + ": " + e + ")";
    }
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the process is gone
    }
    LIVE.remove(this);
  }
}
