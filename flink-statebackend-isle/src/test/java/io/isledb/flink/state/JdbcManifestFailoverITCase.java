package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.testing.PostgresServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple3;
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
 * The isle backend with {@code state.backend.isle.manifest.store: jdbc} on a real PostgreSQL
 * server: a keyed job checkpoints, fails once after a completed checkpoint, restores from it and
 * ends with per-key state equal to a model; the databases' manifests (log rows and checkpoint pins)
 * are in PostgreSQL and no manifest object is under {@code state.backend.isle.dir}.
 */
class JdbcManifestFailoverITCase {
  private static final long RECORDS = 1_200;
  private static final int KEYS = 8;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  @TempDir Path tmp;

  static final Map<Long, Tuple3<Long, Long, Long>> RESULTS = new ConcurrentHashMap<>();
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicInteger RESTORED_ATTEMPTS = new AtomicInteger();

  @Test
  void restoresFromACheckpointWhoseManifestIsInPostgres() throws Exception {
    String url = PG.newDatabase("statebackend");
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(IsleStateBackendOptions.DIR, tmp.resolve("isle").toUri().toString());
    config.set(IsleStateBackendOptions.MANIFEST_STORE, "jdbc");
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_URL, url);
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_USER, PG.user());
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD, PG.password());
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(50);

    // Paced by checkpoints, not by time: at most 200 records per checkpoint.
    DataGeneratorSource<Long> source =
        new DataGeneratorSource<>(
            x -> x, RECORDS, RateLimiterStrategy.perCheckpoint(200), Types.LONG);
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers")
        .keyBy(x -> x % KEYS)
        .process(new Accumulate())
        .sinkTo(new LatestPerKeySink());
    env.execute("isle keyed failover, manifest in PostgreSQL");

    assertThat(FAILED).isTrue();
    assertThat(RESTORED_ATTEMPTS.get()).isPositive();
    Map<Long, Tuple3<Long, Long, Long>> model = new TreeMap<>();
    for (long x = 0; x < RECORDS; x++) {
      long k = x % KEYS;
      Tuple3<Long, Long, Long> t = model.getOrDefault(k, Tuple3.of(k, 0L, 0L));
      model.put(k, Tuple3.of(k, t.f1 + 1, t.f2 + x));
    }
    assertThat(new TreeMap<>(RESULTS)).isEqualTo(model);

    try (Connection c = PG.server().connect(url);
        Statement s = c.createStatement()) {
      assertThat(count(s, "SELECT count(DISTINCT db) FROM isledb_manifest_log"))
          .as("one database per subtask, its log in PostgreSQL")
          .isGreaterThanOrEqualTo(2);
      assertThat(
              count(
                  s,
                  "SELECT count(*) FROM isledb_manifest_doc WHERE name LIKE 'manifest/pins/chk-%'"))
          .as("checkpoint pins in PostgreSQL")
          .isPositive();
    }
    try (Stream<Path> files = Files.walk(tmp.resolve("isle"))) {
      List<String> all = files.map(Path::toString).toList();
      assertThat(all).as("tables on the store").anyMatch(p -> p.contains("sstable"));
      assertThat(all).as("no manifest on the store").noneMatch(p -> p.contains("manifest"));
    }
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Count and sum per key in value states; fails once after checkpoint 2 completed. */
  static final class Accumulate extends KeyedProcessFunction<Long, Long, Tuple3<Long, Long, Long>>
      implements CheckpointListener {
    private transient ValueState<Long> count;
    private transient ValueState<Long> sum;
    private transient volatile boolean armed;

    @Override
    public void open(OpenContext openContext) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
      if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
        RESTORED_ATTEMPTS.incrementAndGet();
      }
    }

    @Override
    public void processElement(Long x, Context ctx, Collector<Tuple3<Long, Long, Long>> out)
        throws Exception {
      if (armed && FAILED.compareAndSet(false, true)) {
        throw new RuntimeException("induced failure after a completed checkpoint");
      }
      long c = (count.value() == null ? 0 : count.value()) + 1;
      long s = (sum.value() == null ? 0 : sum.value()) + x;
      count.update(c);
      sum.update(s);
      out.collect(Tuple3.of(ctx.getCurrentKey(), c, s));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (checkpointId >= 2) {
        armed = true;
      }
    }
  }

  /** Keeps, per key, the record with the highest count (replays after a restore repeat values). */
  static final class LatestPerKeySink implements Sink<Tuple3<Long, Long, Long>> {
    @Override
    public SinkWriter<Tuple3<Long, Long, Long>> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(Tuple3<Long, Long, Long> t, Context context) {
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
