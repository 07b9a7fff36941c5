package io.isledb.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.dist.jobs.StateJob;
import io.isledb.testing.S3ServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code flink-statebackend-isle-dist} jar alone next to Flink's jars runs a keyed job
 * with {@code state.backend.type: io.isledb.flink.state.IsleStateBackendFactory}, checkpoints and
 * one induced failure: the final state per key equals the model (restored from an isle checkpoint,
 * nothing lost or counted twice), with the state on file:// and on s3a:// (the real S3 server).
 */
class ShadedStateBackendITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final long RECORDS = 2_000;

  @TempDir Path tmp;

  @Test
  void keyedJobOnFile() throws Exception {
    Path isle = tmp.resolve("isle");
    run("state-file", isle.toUri().toString(), Map.of());
    try (Stream<Path> files = Files.walk(isle)) {
      assertThat(files.anyMatch(p -> p.toString().contains("manifest"))).isTrue();
    }
  }

  @Test
  void keyedJobOnS3a() throws Exception {
    String prefix = S3.newPrefix("shaded-state");
    run("state-s3a", S3.uri() + "/" + prefix, S3.hadoopConf());
    try (Stream<Path> files = Files.walk(S3.server().dataDirectory())) {
      assertThat(files.anyMatch(p -> p.toString().contains(prefix))).isTrue();
    }
  }

  private void run(String name, String isleDir, Map<String, String> hadoop) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(String.valueOf(RECORDS));
    args.add(tmp.resolve("checkpoints").toUri().toString());
    args.add(isleDir);
    hadoop.forEach((k, v) -> args.add("state.backend.isle.hadoop." + k + "=" + v));
    DistJvm.Result r =
        DistJvm.run(name, DistJvm.stateBackendJar(), StateJob.class, args, Duration.ofMinutes(3));
    assertThat(r.exitCode()).as("exit status; log: %s", r.log()).isZero();
    assertThat(r.markers("JAR")).containsExactly("flink-statebackend-isle-dist-0.1.0-SNAPSHOT.jar");
    assertThat(r.markers("KEY")).as("log: %s", r.log()).isEqualTo(model());
    List<String> restored = r.markers("RESTORED");
    assertThat(restored).hasSize(1);
    assertThat(restored.get(0)).as("restored attempts, failed").matches("[1-9][0-9]* true");
  }

  /** {@code key count sum key:{residue=count,...}} per key, as {@link StateJob} prints them. */
  private static List<String> model() {
    Map<Long, long[]> sums = new TreeMap<>();
    Map<Long, TreeMap<Long, Long>> residues = new TreeMap<>();
    for (long x = 0; x < RECORDS; x++) {
      long k = x % 10;
      long[] s = sums.computeIfAbsent(k, key -> new long[2]);
      s[0]++;
      s[1] += x;
      residues.computeIfAbsent(k, key -> new TreeMap<>()).merge(x % 3, 1L, Long::sum);
    }
    List<String> out = new ArrayList<>();
    sums.forEach(
        (k, s) ->
            out.add(
                k
                    + " "
                    + s[0]
                    + " "
                    + s[1]
                    + " "
                    + k
                    + ":"
                    + residues.get(k).toString().replace(" ", "")));
    return out;
  }
}
