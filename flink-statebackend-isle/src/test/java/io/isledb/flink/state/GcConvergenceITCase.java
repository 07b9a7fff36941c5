package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage follows {@code execution.checkpointing.num-retained}: the keyed job of {@link StateJob}
 * takes 30 checkpoints with 2 retained and is cancelled with them retained. After GC (run
 * deterministically on each subtask's database with the backend's settings and a test clock), each
 * database holds exactly what the 2 retained checkpoints and the head reference: their tables (read
 * from their versions' manifests through isle-core's public API), their 2 pins and the manifest's
 * bookkeeping of the head; no pin of a subsumed, aborted or in-flight checkpoint, no other table.
 */
class GcConvergenceITCase {
  private static final Duration GRACE = IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = ClusterJobs.cluster(2, retainTwo());

  /** The JobManager reads the number of retained checkpoints from the cluster's configuration. */
  private static Configuration retainTwo() {
    Configuration c = new Configuration();
    c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
    return c;
  }

  @TempDir Path tmp;

  @Test
  void afterThirtyCheckpointsWithTwoRetainedStorageHoldsOnlyTheirDataAndTheHead() throws Exception {
    JobClient job = submit("gc");
    ClusterJobs.awaitCheckpoints("gc", 2 * 30);
    ClusterJobs.cancel(job);

    List<Path> retained = ClusterJobs.retainedCheckpoints(tmp.resolve("chk"), job.getJobID());
    assertThat(retained).hasSize(2);
    Map<String, List<IsleCheckpoint>> byDatabase = new TreeMap<>();
    for (Path checkpoint : retained) {
      for (IsleCheckpoint c : ClusterJobs.isleCheckpoints(checkpoint)) {
        byDatabase.computeIfAbsent(c.getPrefix(), p -> new ArrayList<>()).add(c);
      }
    }
    assertThat(byDatabase).hasSize(2); // one database per keyed subtask, in both checkpoints

    for (List<IsleCheckpoint> checkpoints : byDatabase.values()) {
      assertThat(checkpoints).hasSize(2);
      GcPasses.Converged db = GcPasses.converge(checkpoints.get(0), GRACE);
      Set<String> pins = new TreeSet<>();
      checkpoints.forEach(c -> pins.add(c.getPinName()));
      assertThat(db.pinNames()).isEqualTo(pins);

      Set<String> expected = new TreeSet<>(db.liveTables());
      pins.forEach(p -> expected.add("manifest/pins/" + p + ".json"));
      expected.add("manifest/CURRENT");
      expected.add("manifest/settings.json");
      expected.add(String.format("manifest/snapshots/%020d.json", db.head()));
      expected.add("manifest/gc/pending-sst/pending.json");
      expected.add("manifest/gc/checkpoint.json");
      assertThat(db.objects()).as("%s", db.results()).isEqualTo(expected);
    }
  }

  private JobClient submit(String tag) throws Exception {
    Configuration config = ClusterJobs.retainingJob(tmp);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, 100_000, 40);
    return env.executeAsync("isle gc convergence");
  }
}
