package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disposing a native savepoint the Flink way ({@code flink savepoint -d}, {@link
 * ClusterClient#disposeSavepoint}) releases its pins: Flink loads the savepoint's metadata and
 * discards every state handle in it, and an isle handle's private state is the pin object, so
 * discarding it is the engine's unpin. GC then collects the tables only that savepoint kept, and a
 * savepoint not disposed still restores.
 */
class NativeSavepointDisposalITCase {
  private static final long RECORDS = 3_000;
  private static final Duration GRACE = IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = ClusterJobs.cluster(2, new Configuration());

  @TempDir Path tmp;

  @Test
  void disposalReleasesThePinsAndGcCollectsTheirTables(@InjectClusterClient ClusterClient<?> client)
      throws Exception {
    String savepoints = tmp.resolve("savepoints").toUri().toString();
    JobClient job = submit("disposed", null);
    ClusterJobs.awaitCheckpoints("disposed", 2 * 3);
    String first = job.triggerSavepoint(savepoints, SavepointFormatType.NATIVE).get();
    // Enough checkpoints (cuts) after it that compaction merges its tables out of the head.
    ClusterJobs.awaitCheckpoints("disposed", 2 * 12);
    String second = job.stopWithSavepoint(false, savepoints, SavepointFormatType.NATIVE).get();
    ClusterJobs.await(() -> ClusterJobs.terminal(job), "the stop of the first job");

    List<IsleCheckpoint> disposed = ClusterJobs.isleCheckpoints(Path.of(URI.create(first)));
    List<IsleCheckpoint> kept = ClusterJobs.isleCheckpoints(Path.of(URI.create(second)));
    assertThat(disposed).hasSize(2);
    java.util.Map<String, Set<String>> disposedTables = new TreeMap<>();
    for (IsleCheckpoint c : disposed) {
      disposedTables.put(c.getPrefix(), GcPasses.tablesOf(c, GRACE));
    }

    client.disposeSavepoint(first).get();

    assertThat(Path.of(URI.create(first))).doesNotExist();
    Set<String> collected = new TreeSet<>();
    for (IsleCheckpoint c : disposed) {
      GcPasses.Converged db = GcPasses.converge(c, GRACE);
      Set<String> keptPins = new TreeSet<>();
      kept.stream()
          .filter(k -> k.getPrefix().equals(c.getPrefix()))
          .forEach(k -> keptPins.add(k.getPinName()));
      // The disposed savepoint's pin is gone, the other savepoint's stays; nothing else is pinned.
      assertThat(db.pinNames()).as(c.getPrefix()).isEqualTo(keptPins).hasSize(1);
      // Storage holds exactly the tables of the head and of the kept savepoint: the tables only
      // the disposed savepoint referenced are deleted.
      assertThat(db.tables()).as(c.getPrefix()).isEqualTo(db.liveTables());
      Set<String> onlyDisposed = new TreeSet<>(disposedTables.get(c.getPrefix()));
      onlyDisposed.removeAll(db.liveTables());
      collected.addAll(onlyDisposed);
      assertThatThrownBy(() -> GcPasses.tablesOf(c, GRACE))
          .as("the disposed savepoint's version is no longer pinned")
          .isInstanceOf(IsleException.class);
    }
    // Compaction merged the disposed savepoint's tables out of the head: GC had something to do.
    assertThat(collected).isNotEmpty();

    JobClient restored = submit("restored", second);
    restored.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("restored"))).isEqualTo(StateJob.model(RECORDS));
  }

  private JobClient submit(String tag, String restoreFrom) throws Exception {
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (restoreFrom != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, RECORDS, 40);
    return env.executeAsync("native savepoint disposal: " + tag);
  }
}
