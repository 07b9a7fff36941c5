package io.isledb.flink.connector.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.testing.Awaiting;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming 'full' scan with checkpoints and induced failures at seeded points: every snapshot
 * row and every change is accounted for exactly once by the completed checkpoints, in commit order
 * per key, and the history pins moved forward with the checkpoints.
 */
class IsleSourceExactlyOnceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final AtomicLong SEEN = new AtomicLong();
  static final AtomicInteger FAILURES = new AtomicInteger();
  static final AtomicInteger CHECKPOINTS = new AtomicInteger();
  static final AtomicBoolean CHECKPOINT_SINCE_FAILURE = new AtomicBoolean();
  static volatile long[] failAt = new long[0];

  @TempDir Path dir;

  @Test
  void everyRowAndChangeExactlyOnceRelativeToCheckpointsUnderFailures() throws Exception {
    long seed = Seeds.seed(11L);
    Random random = new Random(seed);
    CheckpointedCollector.COMMITTED.clear();
    SEEN.set(0);
    FAILURES.set(0);
    CHECKPOINTS.set(0);
    CHECKPOINT_SINCE_FAILURE.set(false);
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      long v0 = t.fill(0, 2, 150, "a");
      List<String> expected = new ArrayList<>();
      t.model.forEach((k, v) -> expected.add("SNAP " + k + " " + v));
      int snapshotRows = expected.size();
      int batches = 8;
      long total = snapshotRows + batches * 33L;
      long[] points = new long[3];
      for (int i = 0; i < points.length; i++) {
        points[i] = 50 + random.nextInt((int) total - 100);
      }
      java.util.Arrays.sort(points);
      failAt = points;

      Configuration conf = new Configuration();
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      env.setParallelism(2);
      env.enableCheckpointing(100);
      IsleSource<IsleRecord> source =
          IsleSource.<IsleRecord>builder()
              .location(t.location)
              .startupMode(StartupMode.FULL)
              .consumerId("eo")
              .pollInterval(Duration.ofMillis(20))
              .deserializer(IsleRecordDeserializer.bytes())
              .build();
      env.fromSource(source, WatermarkStrategy.noWatermarks(), "isle")
          .map(new FailingMap())
          .process(new CheckpointedCollector())
          .sinkTo(new DiscardingSink<>());
      JobClient job = env.executeAsync("isle exactly-once");
      try {
        // Commit the changes while the job runs, one batch per completed checkpoint, so that
        // failures fall between checkpoints with changes on both sides.
        for (int b = 0; b < batches; b++) {
          int seen = CHECKPOINTS.get();
          Awaiting.until(
              () -> CHECKPOINTS.get() > seen,
              Duration.ofMinutes(2),
              () -> "a checkpoint (seed " + seed + ")");
          int before = t.changes.size();
          for (int i = 0; i < 30; i++) {
            t.put(random.nextInt(400), "c-" + b + "-" + i);
          }
          t.delete(random.nextInt(400));
          t.put(1000 + b, "n-" + b);
          t.delete(1000 + b);
          t.flush();
          assertThat(t.changes.size() - before).isEqualTo(33);
        }
        t.changes.subList(t.changes.size() - batches * 33, t.changes.size()).forEach(expected::add);
        Awaiting.until(
            () -> CheckpointedCollector.committedCount() >= expected.size() && FAILURES.get() == 3,
            Duration.ofMinutes(3),
            () ->
                "all "
                    + expected.size()
                    + " records committed, 3 failures (seed "
                    + seed
                    + ", committed "
                    + CheckpointedCollector.committedCount()
                    + ", failures "
                    + FAILURES.get()
                    + ")");
      } finally {
        job.cancel().get();
      }
      List<String> committed = CheckpointedCollector.committedInOrder();
      List<String> sortedGot = new ArrayList<>(committed);
      List<String> sortedExpected = new ArrayList<>(expected);
      Collections.sort(sortedGot);
      Collections.sort(sortedExpected);
      assertThat(sortedGot)
          .as("seed %d, failures at %s", seed, java.util.Arrays.toString(points))
          .isEqualTo(sortedExpected);
      // Per key: its snapshot row, then its changes in commit order.
      Map<String, List<String>> gotByKey = IsleSourceStreamingITCase.byKey(committed);
      Map<String, List<String>> expectedByKey = IsleSourceStreamingITCase.byKey(expected);
      assertThat(new TreeMap<>(gotByKey)).isEqualTo(new TreeMap<>(expectedByKey));
      assertThat(FAILURES.get()).isEqualTo(3);
      // The history pins followed the completed checkpoints past the start version.
      Map<String, Long> pins = t.db.pins();
      assertThat(pins.get("eo-0")).isGreaterThan(v0);
      assertThat(pins.get("eo-1")).isGreaterThan(v0);
    }
  }

  /** Renders records as text and fails the job at the seeded record counts. */
  static final class FailingMap extends RichMapFunction<IsleRecord, String>
      implements CheckpointListener {
    @Override
    public String map(IsleRecord r) {
      long n = SEEN.incrementAndGet();
      int f = FAILURES.get();
      if (f < failAt.length
          && n >= failAt[f]
          && CHECKPOINT_SINCE_FAILURE.get()
          && FAILURES.compareAndSet(f, f + 1)) {
        CHECKPOINT_SINCE_FAILURE.set(false);
        throw new RuntimeException("induced failure " + (f + 1) + " at record " + n);
      }
      return r.getKind() == IsleRecord.Kind.SNAPSHOT
          ? "SNAP "
              + SourceTestTable.hex(r.getKey())
              + " "
              + new String(r.getValue(), StandardCharsets.UTF_8)
          : SourceTestTable.change(r);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTS.incrementAndGet();
      CHECKPOINT_SINCE_FAILURE.set(true);
    }
  }
}
