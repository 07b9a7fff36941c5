package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed job with value and map state on the isle backend, checkpointing while it runs, with one
 * induced failure after a completed checkpoint: the job restores from that checkpoint (its isle
 * databases reopened at the pinned versions), replays, and ends with per-key state equal to a model
 * computed in the test.
 */
class KeyedJobFailoverITCase {
  private static final long RECORDS = 4_000;
  private static final int KEYS = 10;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path tmp;

  static final Map<Long, Tuple4<Long, Long, Long, String>> RESULTS = new ConcurrentHashMap<>();
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicInteger RESTORED_ATTEMPTS = new AtomicInteger();

  @Test
  void stateAfterAnInducedFailureEqualsTheModel() throws Exception {
    RESULTS.clear();
    FAILED.set(false);
    RESTORED_ATTEMPTS.set(0);
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    config.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ofMillis(10));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);

    // Paced by checkpoints, not by time: at most 250 records per checkpoint.
    DataGeneratorSource<Long> source =
        new DataGeneratorSource<>(
            x -> x, RECORDS, RateLimiterStrategy.perCheckpoint(250), Types.LONG);
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers")
        .keyBy(x -> x % KEYS)
        .process(new Accumulate())
        .sinkTo(new LatestPerKeySink());
    env.execute("isle keyed failover");

    assertThat(FAILED).isTrue();
    assertThat(RESTORED_ATTEMPTS.get()).isPositive();
    Map<Long, Tuple4<Long, Long, Long, String>> model = model();
    assertThat(new TreeMap<>(RESULTS)).isEqualTo(new TreeMap<>(model));
    try (Stream<Path> files = Files.walk(tmp.resolve("isle"))) {
      assertThat(files.anyMatch(p -> p.toString().contains("manifest"))).isTrue();
    }
  }

  private static Map<Long, Tuple4<Long, Long, Long, String>> model() {
    Map<Long, long[]> sums = new TreeMap<>();
    Map<Long, TreeMap<Long, Long>> maps = new TreeMap<>();
    for (long x = 0; x < RECORDS; x++) {
      long k = x % KEYS;
      long[] s = sums.computeIfAbsent(k, key -> new long[2]);
      s[0]++;
      s[1] += x;
      maps.computeIfAbsent(k, key -> new TreeMap<>()).merge(x % 3, 1L, Long::sum);
    }
    Map<Long, Tuple4<Long, Long, Long, String>> out = new TreeMap<>();
    sums.forEach((k, s) -> out.put(k, Tuple4.of(k, s[0], s[1], maps.get(k).toString())));
    return out;
  }

  /** Count and sum in value states, counts by residue mod 3 in a map state. */
  static final class Accumulate
      extends KeyedProcessFunction<Long, Long, Tuple4<Long, Long, Long, String>>
      implements CheckpointListener {
    private transient ValueState<Long> count;
    private transient ValueState<Long> sum;
    private transient MapState<Long, Long> residues;
    private transient volatile boolean armed;

    @Override
    public void open(OpenContext openContext) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
      residues =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("residues", Types.LONG, Types.LONG));
      if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
        RESTORED_ATTEMPTS.incrementAndGet();
      }
    }

    @Override
    public void processElement(Long x, Context ctx, Collector<Tuple4<Long, Long, Long, String>> out)
        throws Exception {
      if (armed && FAILED.compareAndSet(false, true)) {
        throw new RuntimeException("induced failure after a completed checkpoint");
      }
      long c = (count.value() == null ? 0 : count.value()) + 1;
      long s = (sum.value() == null ? 0 : sum.value()) + x;
      count.update(c);
      sum.update(s);
      Long r = residues.get(x % 3);
      residues.put(x % 3, r == null ? 1 : r + 1);
      TreeMap<Long, Long> m = new TreeMap<>();
      for (Map.Entry<Long, Long> e : residues.entries()) {
        m.put(e.getKey(), e.getValue());
      }
      out.collect(Tuple4.of(ctx.getCurrentKey(), c, s, m.toString()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (checkpointId >= 3) {
        armed = true;
      }
    }
  }

  /** Keeps, per key, the record with the highest count (replays after a restore repeat values). */
  static final class LatestPerKeySink implements Sink<Tuple4<Long, Long, Long, String>> {
    @Override
    public SinkWriter<Tuple4<Long, Long, Long, String>> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(Tuple4<Long, Long, Long, String> t, Context context) {
          RESULTS.merge(t.f0, t, (a, b) -> b.f1 >= a.f1 ? b : a);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
