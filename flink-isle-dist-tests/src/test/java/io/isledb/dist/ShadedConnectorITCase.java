package io.isledb.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.dist.jobs.SqlJob;
import io.isledb.testing.S3ServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code flink-sql-connector-isle} jar alone next to Flink's jars runs a SQL job (create
 * an isle table, INSERT with an upsert on the key, SELECT with a filter) on file:// and on s3a://
 * against the real S3 server. The child JVM's classpath holds no project module and no unrelocated
 * copy of the libraries the jar relocates ({@link SqlJob} checks it from inside).
 */
class ShadedConnectorITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final List<String> EXPECTED =
      List.of("1 alice 12.00", "3 carol 7.25"); // id 1 upserted; bob's 3.00 filtered out

  @TempDir Path tmp;

  @Test
  void sqlJobOnFile() throws Exception {
    Path table = tmp.resolve("warehouse");
    DistJvm.Result r = run("sql-file", List.of(tmp.toUri() + "warehouse/orders"));
    try (Stream<Path> files = Files.walk(table)) {
      assertThat(files.anyMatch(p -> p.toString().endsWith(".sst"))).isTrue();
    }
    assertThat(r.markers("JAR")).containsExactly("flink-sql-connector-isle-0.1.0-SNAPSHOT.jar");
  }

  @Test
  void sqlJobOnS3a() throws Exception {
    List<String> args = new ArrayList<>();
    args.add(S3.uri() + "/" + S3.newPrefix("shaded-sql"));
    S3.hadoopConf().forEach((k, v) -> args.add("hadoop." + k + "=" + v));
    run("sql-s3a", args);
  }

  private static DistJvm.Result run(String name, List<String> args) throws Exception {
    DistJvm.Result r =
        DistJvm.run(name, DistJvm.connectorJar(), SqlJob.class, args, Duration.ofMinutes(3));
    assertThat(r.exitCode()).as("exit status; log: %s", r.log()).isZero();
    assertThat(r.markers("ROW")).as("log: %s", r.log()).isEqualTo(EXPECTED);
    assertThat(r.markers("DONE")).containsExactly("2");
    return r;
  }
}
