package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a group of Flink benchmarks in a child JVM on the harness's class path without rocksdbjni
 * ({@link FlinkStateSuite#childClassPath}), with {@link FlinkStateSuite#JVM_OPTIONS}, and reads
 * back the {@link Runs} the child wrote as JSON into the file named by its first argument.
 */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code jvmArgs} and the arguments {@code args} gives for the output
   * file, copies its output to this process's standard output and returns its results.
   */
  static List<Runs> run(
      String group,
      Path work,
      List<String> jvmArgs,
      Class<?> main,
      Function<Path, List<String>> args)
      throws Exception {
    Files.createDirectories(work);
    Path out = Files.createTempFile(work, group + "-", ".json");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(FlinkStateSuite.JVM_OPTIONS);
    cmd.addAll(jvmArgs);
    cmd.addAll(S3ServerCpu.jvmArgs());
    cmd.add("-cp");
    cmd.add(FlinkStateSuite.childClassPath(System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(args.apply(out));
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
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = new ObjectMapper().readValue(out.toFile(), List.class);
    Files.delete(out);
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
