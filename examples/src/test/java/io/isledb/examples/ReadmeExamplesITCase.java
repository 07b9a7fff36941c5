package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Flink examples are real: its SQL block runs as written (on a temporary folder), its
 * Java block is the code of {@link DataStreamExample} (run by {@link DataStreamExampleITCase}), its
 * YAML block is the configuration {@link StateBackendExample} runs with, and its commands are the
 * ones {@code .ci/run} and the examples' pom run.
 */
class ReadmeExamplesITCase {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void sqlBlockRunsAsWritten() throws Exception {
    String sql =
        block("sql")
            .replace("file:///tmp/isle-warehouse", dir.toUri().toString().replaceAll("/$", ""));
    assertThat(SqlRunner.run(sql, Map.of(), false))
        .containsExactly(List.of("+I[ada, 15.60]", "+I[bob, 8.00]"));
    assertThat(dir.resolve("orders/manifest")).isDirectory();
  }

  @Test
  void javaBlockIsTheDataStreamExamplesCode() throws Exception {
    String source =
        Files.readString(Path.of("src/main/java/io/isledb/examples/DataStreamExample.java"));
    List<String> marked = new ArrayList<>();
    boolean in = false;
    for (String line : source.split("\n")) {
      String t = line.strip();
      if (t.startsWith("// README:")) {
        in = !t.equals("// README:end");
      } else if (in) {
        marked.add(t);
      }
    }
    assertThat(trimmedLines(block("java"))).isNotEmpty().isEqualTo(marked);
  }

  @Test
  void yamlBlockIsTheStateBackendExamplesConfiguration() throws Exception {
    Map<String, String> yaml = new LinkedHashMap<>();
    for (String line : trimmedLines(block("yaml"))) {
      String kv = line.replaceAll("\\s+#.*$", "");
      int colon = kv.indexOf(": ");
      yaml.put(kv.substring(0, colon), kv.substring(colon + 2));
    }
    Configuration conf = StateBackendExample.config(yaml.get("execution.checkpointing.dir"));
    assertThat(yaml).containsKey("state.backend.type");
    yaml.forEach((k, v) -> assertThat(conf.toMap()).containsEntry(k, v));
  }

  @Test
  void everyReadmeCommandIsRunByCiOrTheBuild() throws Exception {
    String ci = Files.readString(ROOT.resolve(".ci/run"));
    String bash = block("bash");
    assertThat(bash).contains("mvn -q -B -Prun -DskipTests package").contains("mvn -B verify");
    assertThat(ci)
        .contains("mvn -B verify")
        .contains("mvn -q -B -Prun -DskipTests package -Dexample.args=--short -pl examples -am");
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains("isle-cli/bin/isle --help");
    assertThat(ci).contains("isle-cli/bin/isle --help");
    assertThat(Files.readString(Path.of("pom.xml")))
        .contains("<example.main>io.isledb.examples.MainJob</example.main>");
  }

  private static List<String> trimmedLines(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }

  /** The first fenced block of a language in the README. */
  private static String block(String lang) throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("```" + lang + "\n");
    assertThat(start).as("a ```%s block in README.md", lang).isNotNegative();
    start += lang.length() + 4;
    return readme.substring(start, readme.indexOf("```", start));
  }
}
