package io.isledb.examples;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The state backend alone: a keyed running count whose state lives in the isle state backend,
 * configured with nothing but Flink settings, with checkpoints and one induced failure. Usage:
 * {@code StateBackendExample [checkpoint-dir-uri] [events]}; by default {@code
 * ./isle-data/state-example}, 2000 events over 10 keys.
 */
public final class StateBackendExample {
  static final int KEYS = 10;

  private StateBackendExample() {}

  public static void main(String[] args) throws Exception {
    String dir =
        args.length > 0 && !args[0].isBlank()
            ? args[0]
            : Path.of("isle-data", "state-example").toAbsolutePath().toUri().toString();
    long events = args.length > 1 ? Long.parseLong(args[1]) : 2000;
    Map<String, Long> counts = run(dir, events, 200);
    System.out.println(
        "State backend example: counts "
            + counts
            + (counts.equals(model(events)) ? " (equal to the model)" : " (DIFFERENT)"));
    System.out.println(
        "isle state databases: " + StorageSummary.list("state", dir + "/isle-state", Map.of()));
  }

  /** The Flink configuration that puts keyed state into IsleDB (README "State backend"). */
  public static Configuration config(String checkpointDir) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "io.isledb.flink.state.IsleStateBackendFactory");
    conf.setString("execution.checkpointing.dir", checkpointDir);
    conf.setString("execution.checkpointing.interval", "200 ms");
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
    return conf;
  }

  /** The final count per key: {@code events / KEYS} each. */
  public static Map<String, Long> model(long events) {
    Map<String, Long> m = new TreeMap<>();
    for (long i = 0; i < events; i++) {
      m.merge("k" + (i % KEYS), 1L, Long::sum);
    }
    return m;
  }

  /**
   * Counts {@code events} events per key, failing once after checkpoint 2; returns the highest
   * count emitted per key (the final state of each key).
   */
  public static Map<String, Long> run(String dir, long events, int perCheckpoint) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(config(dir));
    env.setParallelism(2);
    DataGeneratorSource<Long> gen =
        new DataGeneratorSource<>(
            i -> i, events, RateLimiterStrategy.perCheckpoint(perCheckpoint), Types.LONG);
    Map<String, Long> max = new TreeMap<>();
    try (CloseableIterator<Tuple2<String, Long>> it =
        env.fromSource(gen, WatermarkStrategy.noWatermarks(), "events")
            .setParallelism(1)
            .map(new FailOnce<>(2))
            .setParallelism(1)
            .keyBy(i -> "k" + (i % KEYS))
            .process(new Count())
            .executeAndCollect("isle state backend example")) {
      it.forEachRemaining(t -> max.merge(t.f0, t.f1, Math::max));
    }
    return max;
  }

  /** A running count per key in a {@link ValueState}: one read and one write per event. */
  static final class Count extends KeyedProcessFunction<String, Long, Tuple2<String, Long>> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void processElement(Long event, Context ctx, Collector<Tuple2<String, Long>> out)
        throws Exception {
      long n = (count.value() == null ? 0 : count.value()) + 1;
      count.update(n);
      out.collect(Tuple2.of(ctx.getCurrentKey(), n));
    }
  }
}
