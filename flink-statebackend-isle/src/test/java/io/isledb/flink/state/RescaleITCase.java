package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescaling 2 → 3 → 1: the keyed job of {@link StateJob} (value, reducing, map, list state and
 * event-time timers, one timer per key crossing every step) runs at parallelism 2 and is cancelled
 * with its checkpoints retained; a job at parallelism 3 restores the latest one, runs on and is
 * cancelled the same way; a job at parallelism 1 restores that and runs to the end of input. Every
 * key's final state equals the model: no key lost, duplicated or given another key's state, and
 * every timer fired exactly once (the fired timers are part of the state). The test only looks at
 * the job's results, not at how the backend redistributes key groups (a copy today, a zero-copy
 * fork later), so it holds for either.
 */
class RescaleITCase {
  private static final long RECORDS = 2_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = ClusterJobs.cluster(3, new Configuration());

  @TempDir Path tmp;

  @Test
  void rescaleTwoToThreeToOneEndsEqualToTheModel() throws Exception {
    JobClient two = submit("p2", null, 2);
    ClusterJobs.awaitCheckpoints("p2", 2 * 4);
    ClusterJobs.cancel(two);
    Path fromTwo = ClusterJobs.latestCheckpoint(tmp.resolve("chk"), two.getJobID());
    assertThat(ClusterJobs.isleCheckpoints(fromTwo)).hasSize(2);

    JobClient three = submit("p3", fromTwo, 3);
    ClusterJobs.awaitCheckpoints("p3", 3 * 4);
    ClusterJobs.cancel(three);
    Path fromThree = ClusterJobs.latestCheckpoint(tmp.resolve("chk"), three.getJobID());
    assertThat(ClusterJobs.isleCheckpoints(fromThree)).hasSize(3);
    // The middle job ran on records of its own at parallelism 3 (and checkpointed them).
    assertThat(StateJob.RESULTS.get("p3")).isNotEmpty();

    JobClient one = submit("p1", fromThree, 1);
    one.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("p1"))).isEqualTo(StateJob.model(RECORDS));
  }

  private JobClient submit(String tag, Path restoreFrom, int parallelism) throws Exception {
    Configuration config = ClusterJobs.retainingJob(tmp);
    if (restoreFrom != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(parallelism);
    env.setMaxParallelism(128);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, RECORDS, 40);
    return env.executeAsync("isle rescale: " + tag);
  }
}
