package io.isledb.flink.state;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** What the MiniCluster ITCases share: waiting for the cluster, finding and reading checkpoints. */
final class ClusterJobs {
  private ClusterJobs() {}

  /** A MiniCluster of one task manager with {@code slots} slots and {@code config}. */
  static MiniClusterExtension cluster(int slots, Configuration config) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .setConfiguration(config)
            .build());
  }

  /**
   * A job configuration on the isle backend under {@code tmp/isle}, checkpoints under {@code
   * tmp/chk} retained on cancellation, no restarts.
   */
  static Configuration retainingJob(Path tmp) {
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.resolve("chk").toUri().toString());
    config.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return config;
  }

  /** Polls {@code condition} (a state reached by the cluster, not a duration), up to 2 minutes. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Waits until {@code tag}'s keyed subtasks saw {@code n} more completed checkpoints. */
  static void awaitCheckpoints(String tag, int n) throws InterruptedException {
    int target = StateJob.COMPLETED.get(tag).get() + n;
    await(() -> StateJob.COMPLETED.get(tag).get() >= target, n + " checkpoints of " + tag);
  }

  static boolean terminal(JobClient client) {
    try {
      return client.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return true; // the cluster forgot the job: it ended
    }
  }

  static void cancel(JobClient client) throws Exception {
    client.cancel().get();
    await(() -> terminal(client), "the cancellation of " + client.getJobID());
  }

  /** The completed checkpoints ({@code chk-n} with {@code _metadata}) of a job, oldest first. */
  static List<Path> retainedCheckpoints(Path checkpointDir, JobID job) throws Exception {
    try (Stream<Path> dirs = Files.list(checkpointDir.resolve(job.toString()))) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("chk-"))
          .filter(p -> Files.exists(p.resolve("_metadata")))
          .sorted(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .toList();
    }
  }

  static Path latestCheckpoint(Path checkpointDir, JobID job) throws Exception {
    List<Path> all = retainedCheckpoints(checkpointDir, job);
    if (all.isEmpty()) {
      throw new AssertionError("no retained checkpoint of " + job);
    }
    return all.get(all.size() - 1);
  }

  /** The isle checkpoints of every keyed subtask in a checkpoint's or savepoint's metadata. */
  static List<IsleCheckpoint> isleCheckpoints(Path checkpointOrSavepoint) throws Exception {
    CheckpointMetadata metadata;
    try (InputStream in = Files.newInputStream(checkpointOrSavepoint.resolve("_metadata"))) {
      metadata =
          Checkpoints.loadCheckpointMetadata(
              new DataInputStream(in),
              ClusterJobs.class.getClassLoader(),
              checkpointOrSavepoint.toString());
    }
    List<IsleCheckpoint> out = new ArrayList<>();
    for (OperatorState operator : metadata.getOperatorStates()) {
      for (OperatorSubtaskState subtask : operator.getStates()) {
        for (KeyedStateHandle h : subtask.getManagedKeyedState()) {
          IsleCheckpoint.of(h).ifPresent(out::add);
        }
      }
    }
    return out;
  }
}
