package io.isledb.dist.jobs;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A keyed job run in a child JVM whose classpath is the shaded state backend jar plus Flink's jars:
 * {@code state.backend.type: io.isledb.flink.state.IsleStateBackendFactory} from configuration
 * only, checkpoints every 50 ms, numbers {@code 0..records-1} paced per checkpoint, keyed by {@code
 * x % 10}, count and sum in value state and counts by residue in map state; one induced failure
 * after the third completed checkpoint, so the job restores its state from an isle checkpoint.
 * Prints {@code @@KEY key count sum residues} per key, {@code @@RESTORED attempts} and
 * {@code @@DONE}.
 *
 * <p>The keyed function mirrors flink-statebackend-isle's {@code KeyedJobFailoverITCase}: a copy on
 * purpose, since the child's classpath must hold no class of a project module.
 *
 * <p>Arguments: {@code <shaded jar file name> <records> <checkpoint dir URI> <isle dir URI>
 * [state.backend.isle.hadoop.key=value ...]}.
 */
public final class StateJob {
  static final int KEYS = 10;
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicInteger RESTORED = new AtomicInteger();
  static final Map<Long, Tuple3<Long, Long, String>> RESULTS = new ConcurrentHashMap<>();

  private StateJob() {}

  public static void main(String[] args) throws Exception {
    ShadedJars.check("io.isledb.flink.state.IsleStateBackendFactory", args[0]);
    long records = Long.parseLong(args[1]);
    Configuration config = new Configuration();
    config.setString("state.backend.type", "io.isledb.flink.state.IsleStateBackendFactory");
    config.setString("execution.checkpointing.dir", args[2]);
    config.setString("execution.checkpointing.interval", "50 ms");
    config.setString("state.backend.isle.dir", args[3]);
    // A small child JVM: the defaults (256 MB memtable budget, 256 MB block cache) are sized for a
    // task manager, not for a 768 MB test JVM.
    config.setString("state.backend.isle.memtable.size", "4mb");
    config.setString("state.backend.isle.memtable.budget", "32mb");
    config.setString("state.backend.isle.block-cache.size", "16mb");
    config.setString("state.backend.isle.disk-cache.size", "64mb");
    config.setString("restart-strategy.type", "fixed-delay");
    config.setString("restart-strategy.fixed-delay.attempts", "3");
    config.setString("restart-strategy.fixed-delay.delay", "10 ms");
    ShadedJars.pairs(args, 4).forEach(config::setString);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.fromSource(
            new DataGeneratorSource<>(
                x -> x,
                records,
                RateLimiterStrategy.perCheckpoint((int) (records / 8)),
                Types.LONG),
            WatermarkStrategy.noWatermarks(),
            "numbers")
        .keyBy(x -> x % KEYS)
        .process(new Accumulate())
        .sinkTo(new LatestPerKeySink());
    env.execute("isle state backend from the shaded jar");
    new TreeMap<>(RESULTS)
        .forEach((k, t) -> System.out.println("@@KEY " + k + " " + t.f0 + " " + t.f1 + " " + t.f2));
    System.out.println("@@RESTORED " + RESTORED.get() + " " + FAILED.get());
    System.out.println("@@DONE");
  }

  /** Count and sum in value states, counts by residue mod 3 in a map state. */
  static final class Accumulate extends KeyedProcessFunction<Long, Long, Tuple3<Long, Long, String>>
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
        RESTORED.incrementAndGet();
      }
    }

    @Override
    public void processElement(Long x, Context ctx, Collector<Tuple3<Long, Long, String>> out)
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
      out.collect(Tuple3.of(c, s, ctx.getCurrentKey() + ":" + m.toString().replace(" ", "")));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (checkpointId >= 3) {
        armed = true;
      }
    }
  }

  /** Keeps, per key, the record with the highest count (replays after a restore repeat values). */
  static final class LatestPerKeySink implements Sink<Tuple3<Long, Long, String>> {
    @Override
    public SinkWriter<Tuple3<Long, Long, String>> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(Tuple3<Long, Long, String> t, Context context) {
          long k = Long.parseLong(t.f2.substring(0, t.f2.indexOf(':')));
          RESULTS.merge(k, t, (a, b) -> b.f0 >= a.f0 ? b : a);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
