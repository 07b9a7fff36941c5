package io.isledb.bench;

import io.isledb.testing.S3ProxyServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The S3 server's CPU time, for the Flink groups' isle-s3a figures: the server (a child JVM of the
 * harness) shares the machine's cores with the engine, so the report states how much of them it
 * took during each measured span, as the engine suite does with {@code server_cpu_s_per_GiB}.
 *
 * <p>The Flink groups measure in child JVMs (and JMH in forks of those), which are not the server's
 * parent: the harness publishes the server's process id as the system property {@value
 * #PID_PROPERTY}, every child JVM gets it on its command line ({@link #jvmArgs()}), and a child
 * reads the server's CPU time from {@code /proc} by pid ({@link ProcessHandle#of}).
 */
public final class S3ServerCpu {
  /** The system property holding the server's process id. */
  public static final String PID_PROPERTY = "isledb.bench.s3ServerPid";

  /**
   * The detail key: the server's CPU seconds in each measured run, a list in the runs' order.
   * Recorded for isle-s3a results only; the other engines do not use the server.
   */
  public static final String DETAIL = "s3_server_cpu_s";

  /** The detail key: the cores the server used on average in each measured run, a list. */
  public static final String CORES = "s3_server_cores";

  /** The detail key of the flink-state group (JMH): server CPU microseconds per operation. */
  public static final String PER_OP = "s3_server_cpu_us_per_op";

  private S3ServerCpu() {}

  /** Makes {@code server}'s pid known to this JVM and every child JVM started after. */
  static void publish(S3ProxyServer server) {
    System.setProperty(PID_PROPERTY, Long.toString(server.pid()));
  }

  /** The {@code -D} option that passes the server's pid on; empty if none is known. */
  public static List<String> jvmArgs() {
    String pid = System.getProperty(PID_PROPERTY);
    return pid == null ? List.of() : List.of("-D" + PID_PROPERTY + "=" + pid);
  }

  /**
   * A reading of the server's CPU time and of the wall clock ({@link System#nanoTime()}); {@code
   * cpuNanos} is -1 if no server is known or its CPU time cannot be read.
   */
  public record Mark(long cpuNanos, long wallNanos) {}

  /** Reads the server's CPU time and the wall clock now. */
  public static Mark mark() {
    return new Mark(nanos(), System.nanoTime());
  }

  /**
   * The server's CPU time so far in nanoseconds, or -1 if no server is known or its CPU time cannot
   * be read (the process ended, or the platform does not report it).
   */
  public static long nanos() {
    String pid = System.getProperty(PID_PROPERTY);
    if (pid == null) {
      return -1;
    }
    return ProcessHandle.of(Long.parseLong(pid))
        .flatMap(p -> p.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(-1L);
  }

  /**
   * Appends the server's CPU seconds since {@code since} to {@code r}'s {@value #DETAIL} list and
   * the cores it used on average over that span to its {@value #CORES} list; nothing if {@code r}
   * is not an isle-s3a result or a reading is missing.
   */
  public static void add(Runs r, Mark since) {
    add(r, since, mark());
  }

  /** As {@link #add(Runs, Mark)}, for the span between two readings. */
  public static void add(Runs r, Mark since, Mark until) {
    if (!r.engine.equals("isle-s3a") || since.cpuNanos() < 0 || until.cpuNanos() < 0) {
      return;
    }
    double cpu = until.cpuNanos() - since.cpuNanos();
    double wall = Math.max(1, until.wallNanos() - since.wallNanos());
    append(r, DETAIL, Math.round(cpu / 1e7) / 100.0);
    append(r, CORES, Math.round(cpu / wall * 1000) / 1000.0);
  }

  @SuppressWarnings("unchecked")
  private static void append(Runs r, String key, double v) {
    ((List<Object>) r.details.computeIfAbsent(key, k -> new ArrayList<Object>())).add(v);
  }
}
