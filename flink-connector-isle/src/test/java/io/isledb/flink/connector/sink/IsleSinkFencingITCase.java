package io.isledb.flink.connector.sink;

import static io.isledb.flink.connector.sink.SinkTestTable.key;
import static io.isledb.flink.connector.sink.SinkTestTable.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitMark;
import io.isledb.FencedException;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.sink.SinkTestTable.Store;
import io.isledb.testing.S3ServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second job writing a table fences the first: the first job's next commit fails with a clear
 * FENCED error and the job stops (no restart that would fence the second back); the table holds
 * whole checkpoints of the first job and everything of the second, never a mix inside a version.
 */
class IsleSinkFencingITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final long SECOND_JOB_KEYS = 1_000_000;

  @TempDir Path tmp;

  @Test
  void aSecondJobFencesTheFirst() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "fenced");
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.enableCheckpointing(100);
    env.setParallelism(2); // two of the four slots: the second job needs one
    IsleRecordSerializer<Long> first = (i, out) -> out.put(key(i), utf8("a" + i));
    env.fromSource(
            new DataGeneratorSource<>(
                i -> i, Long.MAX_VALUE, RateLimiterStrategy.perCheckpoint(20), Types.LONG),
            WatermarkStrategy.noWatermarks(),
            "endless")
        .setParallelism(1)
        .sinkTo(table.sink(first).commitUser("first-job").build())
        .setParallelism(2);
    JobClient job1 = env.executeAsync("first job");
    try {
      awaitCommitted(table, "first-job", 2);

      StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment();
      env2.setParallelism(1);
      IsleRecordSerializer<Long> second =
          (i, out) -> out.put(key(SECOND_JOB_KEYS + i), utf8("b" + i));
      env2.fromSequence(0, 99).setParallelism(1).sinkTo(table.sink(second).build());
      env2.execute("second job"); // its commit claims the table's writer role

      assertThatThrownBy(() -> job1.getJobExecutionResult().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .satisfies(
              e -> {
                assertThat(ExceptionUtils.findThrowable(e, SuppressRestartsException.class))
                    .isPresent();
                Optional<FencedException> fenced =
                    ExceptionUtils.findThrowableWithMessage(e, "another job (or writer)")
                        .map(t -> (FencedException) t);
                assertThat(fenced).isPresent();
                assertThat(fenced.get().getMessage())
                    .contains("first-job")
                    .contains(table.location().uri());
              });
      assertThat(job1.getJobStatus().get()).isEqualTo(JobStatus.FAILED);
    } finally {
      if (!job1.getJobStatus().get().isGloballyTerminalState()) {
        job1.cancel().get();
      }
    }

    TreeMap<Long, String> rows = table.read();
    TreeMap<Long, String> firstRows = new TreeMap<>(rows.headMap(SECOND_JOB_KEYS));
    TreeMap<Long, String> secondRows = new TreeMap<>(rows.tailMap(SECOND_JOB_KEYS));
    assertThat(secondRows).hasSize(100);
    // The first job's rows are whole checkpoints of its single-source sequence: a prefix.
    assertThat(firstRows).isNotEmpty();
    assertThat(firstRows.lastKey()).isEqualTo(firstRows.size() - 1L);
    firstRows.forEach((k, v) -> assertThat(v).isEqualTo("a" + k));
  }

  /** Waits (bounded) until {@code user} committed at least {@code commits} checkpoints. */
  private static void awaitCommitted(SinkTestTable table, String user, int commits)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (SharedTables.Lease t = SharedTables.acquire(table.location())) {
      while (true) {
        Optional<CommitMark> mark = t.db().lastCommitted(user);
        if (mark.isPresent() && mark.get().identifier() >= commits) {
          return;
        }
        assertThat(System.nanoTime()).as("first job committed in time").isLessThan(deadline);
        Thread.sleep(20); // polling an awaited condition, not synchronisation
      }
    }
  }
}
