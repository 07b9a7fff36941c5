package io.isledb.dist;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM whose classpath is a Flink user's: one shaded isle jar, the job classes (the {@code
 * io.isledb.dist.jobs} drivers, which use Flink's API only) and the jars of a Flink distribution as
 * Maven resolved them ({@code target/flink-classpath.txt}). Nothing of the project's own modules or
 * of isle-core's test kit is on it. Runs to completion; the output goes to {@code
 * target/child-logs/<name>.log}.
 */
final class DistJvm {
  /** The exit status and the output's {@code @@} marker lines (without the {@code @@}). */
  record Result(int exitCode, List<String> markers, Path log) {
    List<String> markers(String kind) {
      return markers.stream()
          .filter(m -> m.startsWith(kind + " ") || m.equals(kind))
          .map(m -> m.substring(kind.length()).trim())
          .toList();
    }
  }

  private DistJvm() {}

  static Path connectorJar() {
    return existing("isledb.dist.connector-jar");
  }

  static Path stateBackendJar() {
    return existing("isledb.dist.statebackend-jar");
  }

  private static Path existing(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set: run through Maven (mvn verify)");
    }
    Path p = Path.of(value).normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(
          p + " does not exist: the shaded jars are built in the package phase (mvn verify)");
    }
    return p;
  }

  static Result run(String name, Path shadedJar, Class<?> main, List<String> args, Duration limit)
      throws IOException, InterruptedException {
    String flink =
        Files.readString(existing("isledb.dist.flink-classpath"), StandardCharsets.UTF_8).trim();
    String jobs = System.getProperty("isledb.dist.jobs");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx768m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    // Flink's own --add-opens list (the parent runs with it, as flink-dist's scripts do).
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(shadedJar + File.pathSeparator + jobs + File.pathSeparator + flink);
    cmd.add(main.getName());
    cmd.add(shadedJar.getFileName().toString());
    cmd.addAll(args);
    Path dir = Files.createDirectories(Path.of("target", "child-logs").toAbsolutePath());
    Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    try {
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not finish within " + limit + "; log: " + log);
      }
    } finally {
      p.destroyForcibly();
    }
    List<String> markers =
        Files.readAllLines(log, StandardCharsets.UTF_8).stream()
            .filter(l -> l.startsWith("@@"))
            .map(l -> l.substring(2))
            .toList();
    return new Result(p.exitValue(), markers, log);
  }
}
