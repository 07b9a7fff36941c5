package io.isledb.bench.flink;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.util.Collector;

/**
 * The two jobs of the flink-job group over generated events {@code (key, value)}: a keyed tumbling
 * window aggregation and a keyed regular join. Their keyed operators count the records they process
 * in {@link #PROCESSED} (the MiniCluster runs in this JVM, so a static counter sees every subtask),
 * which is what the group's records/s are computed from.
 */
final class BenchJobs {
  /** Records the keyed operators of the running job have processed. */
  static final LongAdder PROCESSED = new LongAdder();

  private static final TypeInformation<Tuple2<Long, Long>> EVENT =
      Types.TUPLE(Types.LONG, Types.LONG);

  private BenchJobs() {}

  /**
   * Keyed tumbling processing-time window: count and sum of the values per key and window, one
   * timer per key and window, state cleared when the window fires.
   */
  static void window(StreamExecutionEnvironment env, JobSettings s) {
    events(env, "events", s.seed(), s.windowKeys(), Long.MAX_VALUE)
        .keyBy(new ByKey(), Types.LONG)
        .window(TumblingProcessingTimeWindows.of(Duration.ofMillis(s.windowMillis())))
        .aggregate(new CountAndSum())
        .name("window-aggregate")
        .sinkTo(new DiscardingSink<>());
  }

  /**
   * Keyed regular join of two streams on their key, as a SQL join of two tables keyed by it: each
   * side keeps its latest value per key (value state), and every record that finds the other side's
   * value emits a joined row. The state grows to both key spaces and stays there.
   */
  static void join(StreamExecutionEnvironment env, JobSettings s, long perSource) {
    DataStream<Tuple2<Long, Long>> left = events(env, "left", s.seed(), s.joinKeys(), perSource);
    DataStream<Tuple2<Long, Long>> right = events(env, "right", ~s.seed(), s.joinKeys(), perSource);
    left.connect(right)
        .keyBy(new ByKey(), new ByKey())
        .process(new LatestJoin())
        .name("regular-join")
        .sinkTo(new DiscardingSink<>());
  }

  /**
   * A source of {@code (key, value)} events, key uniform in {@code [0, keys)} from a seeded
   * generator over the record index. {@code perSource} records per parallel source reader, then the
   * source stays idle (never finishes, so the job keeps checkpointing); {@code Long.MAX_VALUE}:
   * unlimited.
   */
  static DataStream<Tuple2<Long, Long>> events(
      StreamExecutionEnvironment env, String name, long seed, int keys, long perSource) {
    RateLimiterStrategy<?> limit =
        perSource == Long.MAX_VALUE ? RateLimiterStrategy.noOp() : new StopAfter(perSource);
    DataGeneratorSource<Tuple2<Long, Long>> src =
        new DataGeneratorSource<>(new Events(seed, keys), Long.MAX_VALUE, limit, EVENT);
    return env.fromSource(src, WatermarkStrategy.noWatermarks(), name);
  }

  /** SplitMix64's finaliser: a well-mixed 64-bit value per input. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Event {@code i}: key and value drawn from the seed and the index only. */
  static final class Events implements GeneratorFunction<Long, Tuple2<Long, Long>> {
    private final long seed;
    private final int keys;

    Events(long seed, int keys) {
      this.seed = seed;
      this.keys = keys;
    }

    @Override
    public Tuple2<Long, Long> map(Long i) {
      long r = mix(seed + i * 0x9e3779b97f4a7c15L);
      return Tuple2.of(Math.floorMod(r, (long) keys), mix(r));
    }
  }

  static final class ByKey implements KeySelector<Tuple2<Long, Long>, Long> {
    @Override
    public Long getKey(Tuple2<Long, Long> e) {
      return e.f0;
    }
  }

  /** Count and sum per key and window. */
  static final class CountAndSum
      implements AggregateFunction<Tuple2<Long, Long>, Tuple2<Long, Long>, Tuple2<Long, Long>> {
    @Override
    public Tuple2<Long, Long> createAccumulator() {
      return Tuple2.of(0L, 0L);
    }

    @Override
    public Tuple2<Long, Long> add(Tuple2<Long, Long> e, Tuple2<Long, Long> acc) {
      PROCESSED.increment();
      return Tuple2.of(acc.f0 + 1, acc.f1 + e.f1);
    }

    @Override
    public Tuple2<Long, Long> getResult(Tuple2<Long, Long> acc) {
      return acc;
    }

    @Override
    public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
      return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
    }
  }

  /** The regular join: latest value per key on each side. */
  static final class LatestJoin
      extends KeyedCoProcessFunction<
          Long, Tuple2<Long, Long>, Tuple2<Long, Long>, Tuple3<Long, Long, Long>> {
    private transient ValueState<Long> left;
    private transient ValueState<Long> right;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      left = getRuntimeContext().getState(new ValueStateDescriptor<>("left", Types.LONG));
      right = getRuntimeContext().getState(new ValueStateDescriptor<>("right", Types.LONG));
    }

    @Override
    public void processElement1(
        Tuple2<Long, Long> e, Context ctx, Collector<Tuple3<Long, Long, Long>> out)
        throws Exception {
      Long other = side(e, left, right);
      if (other != null) {
        out.collect(Tuple3.of(e.f0, e.f1, other));
      }
    }

    @Override
    public void processElement2(
        Tuple2<Long, Long> e, Context ctx, Collector<Tuple3<Long, Long, Long>> out)
        throws Exception {
      Long other = side(e, right, left);
      if (other != null) {
        out.collect(Tuple3.of(e.f0, other, e.f1));
      }
    }

    /** Stores {@code e} as its side's latest value; returns the other side's, or null. */
    private static Long side(Tuple2<Long, Long> e, ValueState<Long> mine, ValueState<Long> other)
        throws Exception {
      PROCESSED.increment();
      mine.update(e.f1);
      return other.value();
    }
  }

  /**
   * Lets {@code limit} records through per source reader, then never again: the reader stays
   * running and idle (its availability future never completes), so checkpoints go on.
   */
  static final class StopAfter
      implements RateLimiterStrategy<org.apache.flink.api.connector.source.SourceSplit> {
    private final long limit;

    StopAfter(long limit) {
      this.limit = limit;
    }

    @Override
    public RateLimiter<org.apache.flink.api.connector.source.SourceSplit> createRateLimiter(
        int parallelism) {
      return new RateLimiter<>() {
        private long granted;

        @Override
        public CompletionStage<Void> acquire(int permits) {
          granted += permits;
          return granted <= limit
              ? CompletableFuture.completedFuture(null)
              : new CompletableFuture<>();
        }
      };
    }
  }
}
