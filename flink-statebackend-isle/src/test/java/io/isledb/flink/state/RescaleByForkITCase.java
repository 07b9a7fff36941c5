package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.PinInfo;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescaling 2 → 3 → 1 → 4 by fork: the keyed job of {@link StateJob} (value, reducing, map, list
 * state and event-time timers, one timer per key crossing every step) runs at parallelism 2 and is
 * cancelled with its checkpoints retained; a job at parallelism 3 restores the latest one (its
 * databases are forks of the old ones: every one of them holds a fork pin on an old database),
 * fails once in {@code processElement} (seeded, {@code -Disle.seed=}) and recovers, and is
 * cancelled the same way; then 1, then 4, which runs to the end of input. Every key's final state
 * equals the model: no key lost, duplicated or given another key's state, every timer fired exactly
 * once (the fired timers are part of the state), and the induced failure changed nothing.
 */
class RescaleByForkITCase {
  private static final long RECORDS = 1_600;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = ClusterJobs.cluster(4, new Configuration());

  @TempDir Path tmp;

  @AfterEach
  void clearHooks() {
    StateJob.failures = null;
  }

  @Test
  void rescaleTwoThreeOneFourWithAFailureEndsEqualToTheModel() throws Exception {
    JobClient two = submit("p2", null, 2, false);
    ClusterJobs.awaitCheckpoints("p2", 2 * 2);
    ClusterJobs.cancel(two);
    Path fromTwo = ClusterJobs.latestCheckpoint(tmp.resolve("chk"), two.getJobID());
    List<IsleCheckpoint> twoHandles = ClusterJobs.isleCheckpoints(fromTwo);
    assertThat(twoHandles).hasSize(2);

    long seed = Long.getLong("isle.seed", System.nanoTime());
    FailurePlan plan = new FailurePlan(seed, List.of(FailurePlan.Kind.PROCESS), 20, 150);
    StateJob.failures = plan;
    JobClient three = submit("p3", fromTwo, 3, true);
    ClusterJobs.await(() -> plan.happened.size() == 1, "the induced failure, " + plan);
    ClusterJobs.awaitCheckpoints("p3", 3 * 2);
    ClusterJobs.cancel(three);
    StateJob.failures = null;
    Path fromThree = ClusterJobs.latestCheckpoint(tmp.resolve("chk"), three.getJobID());
    List<IsleCheckpoint> threeHandles = ClusterJobs.isleCheckpoints(fromThree);
    assertThat(threeHandles).hasSize(3);
    // Each database of the middle job is a fork of the first job's: it holds a fork pin there.
    Set<String> forkOwners = new HashSet<>();
    for (IsleCheckpoint h : twoHandles) {
      for (PinInfo p : RescaleByForkTest.pins(h)) {
        p.owner().filter(o -> o.startsWith("isledb-fork:")).ifPresent(forkOwners::add);
      }
    }
    for (IsleCheckpoint h : threeHandles) {
      assertThat(forkOwners).as("%s", plan).contains("isledb-fork:" + h.getPrefix());
    }
    assertThat(StateJob.RESULTS.get("p3")).isNotEmpty();

    JobClient one = submit("p1", fromThree, 1, false);
    ClusterJobs.awaitCheckpoints("p1", 2);
    ClusterJobs.cancel(one);
    Path fromOne = ClusterJobs.latestCheckpoint(tmp.resolve("chk"), one.getJobID());
    assertThat(ClusterJobs.isleCheckpoints(fromOne)).hasSize(1);

    JobClient four = submit("p4", fromOne, 4, false);
    four.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("p4")))
        .as("%s", plan)
        .isEqualTo(StateJob.model(RECORDS));
  }

  private JobClient submit(String tag, Path restoreFrom, int parallelism, boolean restarts)
      throws Exception {
    Configuration config = ClusterJobs.retainingJob(tmp);
    if (restoreFrom != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
    }
    if (restarts) {
      config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
      config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(parallelism);
    env.setMaxParallelism(128);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, RECORDS, 80);
    return env.executeAsync("isle rescale by fork: " + tag);
  }
}
