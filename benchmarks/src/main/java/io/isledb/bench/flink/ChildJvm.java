package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a benchmark group's child JVM and reads back its results: a JSON list of {@link
 * Runs#toMap()}.
 */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * The java command of this JVM's runtime with {@code options}, the flink-state group's class path
   * ({@link FlinkStateSuite#childClassPath}), then {@code mainClass} and its arguments.
   */
  static List<String> command(List<String> options, Class<?> mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options);
    cmd.add("-cp");
    cmd.add(FlinkStateSuite.childClassPath(System.getProperty("java.class.path")));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Runs {@code cmd}, copying its output here, and fails naming {@code group} if it fails. */
  static void run(List<String> cmd, String group) throws IOException, InterruptedException {
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
      throw new IllegalStateException(group + " child JVM exited with " + rc + ": " + cmd);
    }
  }

  /** The results a child wrote to {@code file}. */
  static List<Runs> readRuns(Path file) throws IOException {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = new ObjectMapper().readValue(file.toFile(), List.class);
    List<Runs> all = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Runs x =
          new Runs(
              (String) row.get("workload"), (String) row.get("engine"), (String) row.get("unit"));
      for (Object v : (List<?>) row.get("runs")) {
        x.add(((Number) v).doubleValue());
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> d = (Map<String, Object>) row.get("details");
      x.details.putAll(d);
      all.add(x);
    }
    return all;
  }
}
