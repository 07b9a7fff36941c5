package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints. Canonical savepoints are portable: the keyed job of {@link StateJob} runs on RocksDB
 * and stops with a canonical savepoint; the isle backend restores it (Flink's key-groups format
 * into isle databases), runs on, and stops with its own canonical savepoint; the hashmap backend
 * restores that and runs to the end of input. Every key's state equals the model, so nothing was
 * lost or changed by either conversion (value, reducing, map, list state and event-time timers).
 */
class SavepointITCase {
  private static final long RECORDS = 2_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(3)
              .build());

  @TempDir Path tmp;

  private int maxParallelism = 128;

  /**
   * With 128 key groups Flink's key-group prefix is one byte, with more it is two; the parallelism
   * changes at every step (2, 3, 1), so each restore also redistributes key groups.
   */
  @ParameterizedTest(name = "max parallelism {0}")
  @ValueSource(ints = {128, 1024})
  void rocksDbSavepointToIsleToHashMap(int maxParallelism) throws Exception {
    this.maxParallelism = maxParallelism;
    JobClient rocks = submit("rocks", "rocksdb", null, 2);
    String fromRocks = stopWithSavepoint(rocks, "rocks");

    JobClient isle = submit("isle", IsleStateBackendFactory.class.getName(), fromRocks, 3);
    String fromIsle = stopWithSavepoint(isle, "isle");
    // The isle job saw the restored state: its last records continue the RocksDB job's.
    assertThat(StateJob.RESULTS.get("isle")).isNotEmpty();

    JobClient heap = submit("heap", "hashmap", fromIsle, 1);
    heap.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("heap"))).isEqualTo(StateJob.model(RECORDS));
  }

  /**
   * A native savepoint is the pinned version itself; another job restores it by copying it into its
   * own databases and ends equal to the model.
   */
  @Test
  void nativeSavepointRestoresIntoAnotherIsleJob() throws Exception {
    String isle = IsleStateBackendFactory.class.getName();
    JobClient first = submit("native-1", isle, null);
    String savepoint = stopWithSavepoint(first, "native-1", SavepointFormatType.NATIVE);
    JobClient second = submit("native-2", isle, savepoint);
    second.getJobExecutionResult().get();
    assertThat(new TreeMap<>(StateJob.RESULTS.get("native-2"))).isEqualTo(StateJob.model(RECORDS));
    assertThat(tmp.resolve("isle").resolve(second.getJobID().toString())).isDirectory();
  }

  private String stopWithSavepoint(JobClient client, String tag) throws Exception {
    return stopWithSavepoint(client, tag, SavepointFormatType.CANONICAL);
  }

  private String stopWithSavepoint(JobClient client, String tag, SavepointFormatType format)
      throws Exception {
    await(() -> StateJob.COMPLETED.get(tag).get() >= 6, "checkpoints of " + tag);
    return client
        .stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), format)
        .get();
  }

  private JobClient submit(String tag, String backend, String restoreFrom) throws Exception {
    return submit(tag, backend, restoreFrom, 2);
  }

  private JobClient submit(String tag, String backend, String restoreFrom, int parallelism)
      throws Exception {
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, backend);
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (restoreFrom != null) {
      config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(parallelism);
    env.setMaxParallelism(maxParallelism);
    env.enableCheckpointing(50);
    StateJob.build(env, tag, RECORDS, 40);
    return env.executeAsync("savepoint chain: " + tag);
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
}
