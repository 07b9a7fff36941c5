package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyed job of {@link StateJob} (value, reducing, map, list state, event-time timers) on the
 * isle backend with six induced failures at seeded points: in processElement, in onTimer, at the
 * start of a snapshot's asynchronous phase (the cut's upload in flight), right after the cut's
 * version is committed (before the pin), and right after the pin (the handle never reaches the
 * JobManager). Each failure restores from the latest completed isle checkpoint; the job ends with
 * every key's state equal to a model (exactly-once state).
 */
class MultiFailoverITCase {
  private static final long RECORDS = 3_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path tmp;

  @AfterEach
  void clearHooks() {
    TestHooks.reset();
    StateJob.failures = null;
  }

  @Test
  void sixInducedFailuresEndEqualToTheModel() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    long seed = Long.getLong("isle.seed", System.nanoTime());
    runWithInducedFailures(config, "failover", RECORDS, 60, new FailurePlan(seed));
  }

  /**
   * Runs the job of {@link StateJob} ({@code perCheckpoint} records per checkpoint) with the six
   * failures of {@code plan} on the isle backend at the location {@code storage} names, and checks
   * the result against the model.
   */
  static void runWithInducedFailures(
      Configuration storage, String tag, long records, int perCheckpoint, FailurePlan plan)
      throws Exception {
    plan.install();
    StateJob.failures = plan;

    Configuration config = new Configuration(storage);
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, records, perCheckpoint);
    env.execute("isle keyed job with induced failures");

    assertThat(plan.happened).as("%s", plan).hasSize(plan.kinds().size());
    Map<Long, Tuple3<Long, Long, String>> model = StateJob.model(records);
    assertThat(new TreeMap<>(StateJob.RESULTS.get(tag))).as("%s", plan).isEqualTo(model);
  }
}
