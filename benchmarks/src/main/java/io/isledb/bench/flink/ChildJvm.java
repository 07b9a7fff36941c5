package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a group's main class in a child JVM on the harness's class path without rocksdbjni ({@link
 * FlinkStateSuite#childClassPath}), with {@link FlinkStateSuite#JVM_OPTIONS}, and reads back the
 * {@link Runs} it wrote as a JSON list of {@link Runs#toMap()}.
 */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code jvmArgs} then {@code args}, copies its output to this process's
   * standard output and waits for it.
   *
   * @throws IllegalStateException if the child exits with a non-zero status
   */
  static void run(Class<?> main, List<String> jvmArgs, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(FlinkStateSuite.JVM_OPTIONS);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(FlinkStateSuite.childClassPath(System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(args);
    // Copied line by line rather than inherited: a test JVM's stdout is a channel to its runner.
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        System.out.println(line);
      }
    }
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException(
          main.getSimpleName() + " child JVM exited with " + rc + " (arguments " + args + ")");
    }
  }

  /** The results a child wrote to {@code file} (deleted after reading). */
  static List<Runs> readRuns(Path file) throws Exception {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = new ObjectMapper().readValue(file.toFile(), List.class);
    Files.delete(file);
    List<Runs> all = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Runs x =
          new Runs((String) r.get("workload"), (String) r.get("engine"), (String) r.get("unit"));
      for (Object v : (List<?>) r.get("runs")) {
        x.add(((Number) v).doubleValue());
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> d = (Map<String, Object>) r.get("details");
      x.details.putAll(d);
      all.add(x);
    }
    return all;
  }
}
