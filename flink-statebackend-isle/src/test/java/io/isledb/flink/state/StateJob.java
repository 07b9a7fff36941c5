package io.isledb.flink.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed job of the MiniCluster ITCases: numbers {@code 0..records-1} (event time = the number,
 * one source subtask so each key sees its numbers in order, paced per checkpoint, not by time),
 * keyed by {@code x % KEYS}, with value, reducing, map and list state and event-time timers. Every
 * element and every timer emits {@code (key, progress, state)}, progress being the number of events
 * the key has seen (elements + fired timers); a sink keeps, per job tag and key, the record with
 * the highest progress, which after the end of input describes the key's final state.
 */
final class StateJob {
  static final int KEYS = 10;

  /**
   * A timer every key registers with its first element, firing only at the end of input: it crosses
   * every checkpoint, savepoint and conversion of the job, so losing a timer shows.
   */
  static final long FINAL_TIMER = 1_000_000_000L;

  /** Job tag to key to (key, progress, state description). */
  static final Map<String, Map<Long, Tuple3<Long, Long, String>>> RESULTS =
      new ConcurrentHashMap<>();

  /** Job tag to completed-checkpoint notifications seen by the keyed subtasks. */
  static final Map<String, AtomicInteger> COMPLETED = new ConcurrentHashMap<>();

  /** The failures to induce (null: none). */
  static volatile FailurePlan failures;

  private StateJob() {}

  static void build(StreamExecutionEnvironment env, String tag, long records, int perCheckpoint) {
    RESULTS.put(tag, new ConcurrentHashMap<>());
    COMPLETED.put(tag, new AtomicInteger());
    DataGeneratorSource<Long> source =
        new DataGeneratorSource<>(
            x -> x, records, RateLimiterStrategy.perCheckpoint(perCheckpoint), Types.LONG);
    env.fromSource(
            source,
            WatermarkStrategy.<Long>forMonotonousTimestamps().withTimestampAssigner((x, t) -> x),
            "numbers")
        .setParallelism(1)
        .uid("numbers")
        .keyBy(x -> x % KEYS)
        .process(new StateFunction(tag))
        .uid("state")
        .sinkTo(new LatestPerKeySink(tag))
        .uid("sink");
  }

  static long timerOf(long x) {
    return (x / 100 + 1) * 100;
  }

  /** The final result of every key after {@code records} numbers. */
  static Map<Long, Tuple3<Long, Long, String>> model(long records) {
    Map<Long, Tuple3<Long, Long, String>> out = new TreeMap<>();
    for (long k = 0; k < KEYS; k++) {
      long count = 0;
      long sum = 0;
      TreeMap<Long, Long> residues = new TreeMap<>();
      List<Long> marks = new ArrayList<>();
      TreeSet<Long> timers = new TreeSet<>();
      for (long x = k; x < records; x += KEYS) {
        count++;
        sum += x;
        residues.merge(x % 3, 1L, Long::sum);
        if (x % 7 == 0) {
          marks.add(x);
        }
        timers.add(timerOf(x));
      }
      timers.add(FINAL_TIMER);
      if (count > 0) {
        String d = describe(count, sum, residues, marks, new ArrayList<>(timers));
        out.put(k, Tuple3.of(k, count + timers.size(), d));
      }
    }
    return out;
  }

  static String describe(
      long count, long sum, Map<Long, Long> residues, List<Long> marks, List<Long> fired) {
    return "count="
        + count
        + " sum="
        + sum
        + " residues="
        + residues
        + " marks="
        + marks
        + " fired="
        + fired;
  }

  /** The state of the job: all four state kinds and timers. */
  static final class StateFunction
      extends KeyedProcessFunction<Long, Long, Tuple3<Long, Long, String>>
      implements CheckpointListener {
    private final String tag;
    private transient ValueState<Long> count;
    private transient ReducingState<Long> sum;
    private transient MapState<Long, Long> residues;
    private transient ListState<Long> marks;
    private transient ListState<Long> fired;

    StateFunction(String tag) {
      this.tag = tag;
    }

    @Override
    public void open(OpenContext openContext) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      sum =
          getRuntimeContext()
              .getReducingState(new ReducingStateDescriptor<>("sum", Long::sum, Types.LONG));
      residues =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("residues", Types.LONG, Types.LONG));
      marks = getRuntimeContext().getListState(new ListStateDescriptor<>("marks", Types.LONG));
      fired = getRuntimeContext().getListState(new ListStateDescriptor<>("fired", Types.LONG));
    }

    @Override
    public void processElement(Long x, Context ctx, Collector<Tuple3<Long, Long, String>> out)
        throws Exception {
      FailurePlan plan = failures;
      if (plan != null) {
        plan.maybeFail(FailurePlan.Kind.PROCESS, "element " + x);
        plan.event();
      }
      count.update((count.value() == null ? 0 : count.value()) + 1);
      sum.add(x);
      Long r = residues.get(x % 3);
      residues.put(x % 3, r == null ? 1 : r + 1);
      if (x % 7 == 0) {
        marks.add(x);
      }
      ctx.timerService().registerEventTimeTimer(timerOf(x));
      if (x < KEYS) {
        ctx.timerService().registerEventTimeTimer(FINAL_TIMER);
      }
      emit(ctx.getCurrentKey(), out);
    }

    @Override
    public void onTimer(
        long timestamp, OnTimerContext ctx, Collector<Tuple3<Long, Long, String>> out)
        throws Exception {
      FailurePlan plan = failures;
      if (plan != null) {
        plan.maybeFail(FailurePlan.Kind.TIMER, "timer " + timestamp);
      }
      fired.add(timestamp);
      emit(ctx.getCurrentKey(), out);
    }

    private void emit(long key, Collector<Tuple3<Long, Long, String>> out) throws Exception {
      TreeMap<Long, Long> m = new TreeMap<>();
      for (Map.Entry<Long, Long> e : residues.entries()) {
        m.put(e.getKey(), e.getValue());
      }
      List<Long> markList = new ArrayList<>();
      marks.get().forEach(markList::add);
      List<Long> firedList = new ArrayList<>();
      fired.get().forEach(firedList::add);
      long c = count.value() == null ? 0 : count.value();
      long s = sum.get() == null ? 0 : sum.get();
      out.collect(Tuple3.of(key, c + firedList.size(), describe(c, s, m, markList, firedList)));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      COMPLETED.get(tag).incrementAndGet();
    }
  }

  /** Keeps, per key, the record with the highest progress (replays repeat earlier ones). */
  static final class LatestPerKeySink implements Sink<Tuple3<Long, Long, String>> {
    private final String tag;

    LatestPerKeySink(String tag) {
      this.tag = tag;
    }

    @Override
    public SinkWriter<Tuple3<Long, Long, String>> createWriter(WriterInitContext context) {
      Map<Long, Tuple3<Long, Long, String>> results = RESULTS.get(tag);
      return new SinkWriter<>() {
        @Override
        public void write(Tuple3<Long, Long, String> t, Context context) {
          results.merge(t.f0, t, (a, b) -> b.f1 >= a.f1 ? b : a);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
