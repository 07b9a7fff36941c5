package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code bin/isle} on the built {@code target/isle.jar}, in a JVM of its own (run by
 * Maven in the package phase, after the jar is built).
 */
class IsleJarITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path dir;

  private record Result(int code, String out) {}

  private static Result launch(String... args) throws Exception {
    Path launcher = Path.of(System.getProperty("isle.launcher"));
    Path jar = Path.of(System.getProperty("isle.jar"));
    assertThat(jar).as("the jar-test execution runs after the shade plugin built it").exists();
    List<String> cmd = new ArrayList<>(List.of("sh", launcher.toString()));
    cmd.addAll(List.of(args));
    // stderr (library warnings) to the test log; stdout is what is checked.
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("ISLE_JAR", jar.toString());
    pb.environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @BeforeEach
  void needsTheJar() {
    // Maven's jar-test execution (package phase) requires the jar; a run in the test phase (for
    // example -Dtest=IsleJarITCase, which also selects it there) has none yet and skips.
    assumeTrue(
        Boolean.getBoolean("isle.jar.required")
            || Files.exists(Path.of(System.getProperty("isle.jar"))));
  }

  @Test
  void theLauncherRunsTheJar() throws Exception {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db", Map.of());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults())) {
      w.put("key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8));
      w.flush();
    }
    Result get = launch("get", "--uri", dir.toUri().toString(), "--prefix", "db", "key");
    assertThat(get.out()).isEqualTo("value\n");
    assertThat(get.code()).isZero();
    Result verify = launch("verify", "--uri", dir.toUri().toString(), "--prefix", "db");
    assertThat(verify.out()).contains("no problems");
    assertThat(verify.code()).isZero();
    assertThat(launch("ls", "--uri", dir.toUri().toString(), "--prefix", "nothing").code())
        .isEqualTo(IsleCli.USAGE);
    assertThat(Files.size(Path.of(System.getProperty("isle.jar")))).isLessThan(200L << 20);
  }

  /** The jar's S3A client (Hadoop, the AWS SDK) against a real S3 server, settings by --hadoop. */
  @Test
  void theJarReadsS3a() throws Exception {
    String prefix = S3.newPrefix("cli-jar");
    try (ObjectStore store = IsleDB.openStore(S3.uri(), prefix, S3.hadoopConf());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults())) {
      w.put("key".getBytes(StandardCharsets.UTF_8), "s3".getBytes(StandardCharsets.UTF_8));
      w.flush();
    }
    List<String> args = new ArrayList<>(List.of("get", "--uri", S3.uri(), "--prefix", prefix));
    S3.hadoopConf().forEach((k, v) -> args.addAll(List.of("--hadoop", k + "=" + v)));
    args.add("key");
    Result get = launch(args.toArray(String[]::new));
    assertThat(get.out()).isEqualTo("s3\n");
    assertThat(get.code()).isZero();
  }
}
