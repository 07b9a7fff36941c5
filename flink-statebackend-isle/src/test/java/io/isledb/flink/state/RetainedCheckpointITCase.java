package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job on the isle backend is cancelled with its checkpoints retained; then two jobs restore the
 * same retained checkpoint at once (NO_CLAIM), then one more (CLAIM). Each restored job copies the
 * checkpoint's version into its own database (a different job never reopens or fences the source
 * database), runs to the end of input, and ends with every key's state equal to the model.
 */
class RetainedCheckpointITCase {
  private static final long RECORDS = 2_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @TempDir Path tmp;

  @Test
  void retainedCheckpointRestoresIntoTwoJobsAtOnceAndThenOne() throws Exception {
    JobClient first = submit("first", null, null);
    await(() -> StateJob.COMPLETED.get("first").get() >= 6, "checkpoints of the first job");
    first.cancel().get();
    await(() -> terminal(first), "the first job's cancellation");
    Path checkpoint = latestCheckpoint(first.getJobID());

    // Two jobs from the same retained checkpoint, at once, without claiming it.
    JobClient a = submit("a", checkpoint, RecoveryClaimMode.NO_CLAIM);
    JobClient b = submit("b", checkpoint, RecoveryClaimMode.NO_CLAIM);
    CompletableFuture.allOf(a.getJobExecutionResult(), b.getJobExecutionResult()).get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("a"))).isEqualTo(StateJob.model(RECORDS));
    assertThat(new TreeMap<>(StateJob.RESULTS.get("b"))).isEqualTo(StateJob.model(RECORDS));
    // Each restored job wrote into its own databases; the first job's pin is still there.
    Path isle = tmp.resolve("isle");
    assertThat(isle.resolve(a.getJobID().toString())).isDirectory();
    assertThat(isle.resolve(b.getJobID().toString())).isDirectory();
    assertThat(pins(isle.resolve(first.getJobID().toString()))).isPositive();
    // Both restored by forking the first job's databases (neither reopened, so neither fenced the
    // other): each holds a fork pin on each of them, beside the checkpoint's own pin.
    for (IsleCheckpoint h : ClusterJobs.isleCheckpoints(checkpoint)) {
      List<PinInfo> held = RescaleByForkTest.pins(h);
      assertThat(held).extracting(PinInfo::name).contains(h.getPinName());
      for (JobClient restored : List.of(a, b)) {
        assertThat(held)
            .extracting(p -> p.owner().orElse(""))
            .anyMatch(
                o -> o.startsWith("isledb-fork:") && o.contains(restored.getJobID().toString()));
      }
    }

    // Not claimed (the JobManager's first checkpoint after a NO_CLAIM restore is a full one):
    // the first job's databases are not retired.
    List<IsleCheckpoint> retained = ClusterJobs.isleCheckpoints(checkpoint);
    for (IsleCheckpoint h : retained) {
      assertThat(retired(h)).as("%s retired after NO_CLAIM restores", h).isFalse();
    }

    // And one more, claiming it: its first completed checkpoint (a regular one) retires the first
    // job's databases (SourceRetirement), which the other two jobs still read through their forks.
    JobClient c = submit("c", checkpoint, RecoveryClaimMode.CLAIM);
    c.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("c"))).isEqualTo(StateJob.model(RECORDS));
    for (IsleCheckpoint h : retained) { // the claimed checkpoint itself is discarded by now
      assertThat(retired(h)).as("%s retired after the CLAIM restore", h).isTrue();
    }
  }

  /** Whether the database of {@code h} is retired: its newest version cannot be pinned then. */
  private static boolean retired(IsleCheckpoint h) {
    try (ObjectStore store = IsleDB.openStore(h.getStoreUri(), h.getPrefix(), h.hadoopConf());
        IsleDB db =
            IsleDB.open(
                store,
                DBOptions.defaults()
                    .withGcGracePeriod(IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue()))) {
      try {
        db.pin("retired-probe", db.currentVersion());
      } catch (IsleException e) {
        if (String.valueOf(e.getMessage()).contains("retired")) {
          return true;
        }
        throw e;
      }
      db.unpin("retired-probe");
      return false;
    }
  }

  private JobClient submit(String tag, Path restoreFrom, RecoveryClaimMode mode) throws Exception {
    Configuration config = ClusterJobs.retainingJob(tmp);
    if (restoreFrom != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
      config.set(StateRecoveryOptions.RESTORE_MODE, mode);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, RECORDS, 40);
    return env.executeAsync("isle " + tag);
  }

  private static boolean terminal(JobClient client) {
    try {
      return client.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return true; // the cluster forgot the job: it ended
    }
  }

  /** Polls {@code condition} (a state reached by the cluster, not a duration). */
  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private Path latestCheckpoint(JobID job) throws Exception {
    try (Stream<Path> dirs = Files.list(tmp.resolve("chk").resolve(job.toString()))) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("chk-"))
          .filter(p -> Files.exists(p.resolve("_metadata")))
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .orElseThrow(() -> new AssertionError("no retained checkpoint of " + job));
    }
  }

  private static long pins(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().contains("/manifest/pins/")).count();
    }
  }
}
