package io.isledb.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child's half of the {@link ChildJvm} protocol, for main classes in {@code
 * io.isledb.testing.children}:
 *
 * <ul>
 *   <li>{@link #mark} prints a marker line ({@code @@KIND field field ...}) on stdout, flushed at
 *       once; the parent waits for markers instead of sleeping;
 *   <li>{@link #command} takes the next line the parent sent on stdin;
 *   <li>the child halts as soon as its stdin reaches end-of-file: the parent died or closed it, so
 *       a child can never outlive the test that started it;
 *   <li>{@link #run} reports an uncaught failure as a {@code FAILED} marker and exits with 1.
 * </ul>
 */
public final class ChildSide {
  /** The prefix of marker lines. */
  public static final String MARKER = "@@";

  private static final BlockingQueue<String> COMMANDS = new LinkedBlockingQueue<>();
  private static volatile boolean watching;

  private ChildSide() {}

  /** What a child's main does. */
  @FunctionalInterface
  public interface Main {
    void run(Map<String, String> args) throws Exception;
  }

  /**
   * Runs a child: parses {@code --key=value} arguments, starts the stdin watch, runs {@code main}
   * and exits (0 on success; 1 after printing a FAILED marker).
   */
  public static void run(String[] argv, Main main) {
    startWatch();
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("arguments are --key=value, got " + a);
      }
      int eq = a.indexOf('=');
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
    int code = 0;
    try {
      main.run(args);
    } catch (Throwable t) {
      StringWriter w = new StringWriter();
      t.printStackTrace(new PrintWriter(w));
      System.out.println(w);
      mark("FAILED", t.getClass().getName(), String.valueOf(t.getMessage()).replace('\n', ' '));
      code = 1;
    }
    System.out.flush();
    // halt: daemon threads of the engine must not keep the process alive or run shutdown work.
    Runtime.getRuntime().halt(code);
  }

  /** Prints {@code @@kind f1 f2 ...} as one line. Fields must not contain spaces or newlines. */
  public static void mark(String kind, Object... fields) {
    StringBuilder b = new StringBuilder(MARKER).append(kind);
    for (Object f : fields) {
      b.append(' ').append(f);
    }
    synchronized (System.out) {
      System.out.println(b);
      System.out.flush();
    }
  }

  /** Blocks the calling thread until the process dies. */
  public static void parkForever() {
    while (true) {
      LockSupport.park();
    }
  }

  /** The next command line from the parent, waiting at most {@code timeout}; null if none came. */
  public static String command(Duration timeout) throws InterruptedException {
    return COMMANDS.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next command if one is waiting, else null. */
  public static String pollCommand() {
    return COMMANDS.poll();
  }

  /** Waits for the command {@code expected}; anything else fails. */
  public static void awaitCommand(String expected, Duration timeout) throws InterruptedException {
    String c = command(timeout);
    if (!expected.equals(c)) {
      throw new IllegalStateException("expected command " + expected + ", got " + c);
    }
  }

  private static synchronized void startWatch() {
    if (watching) {
      return;
    }
    watching = true;
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  COMMANDS.add(line.trim());
                }
              } catch (IOException e) {
                // treated like end-of-file
              }
              // The parent is gone (or let us go): never outlive it.
              System.out.println(MARKER + "ORPHANED");
              System.out.flush();
              Runtime.getRuntime().halt(3);
            },
            "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  /** A required argument. */
  public static String arg(Map<String, String> args, String key) {
    String v = args.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing argument --" + key + "=...");
    }
    return v;
  }

  /** An optional argument. */
  public static String arg(Map<String, String> args, String key, String dflt) {
    return args.getOrDefault(key, dflt);
  }

  public static long longArg(Map<String, String> args, String key, long dflt) {
    String v = args.get(key);
    return v == null ? dflt : Long.parseLong(v);
  }

  public static int intArg(Map<String, String> args, String key, int dflt) {
    String v = args.get(key);
    return v == null ? dflt : Integer.parseInt(v);
  }
}
