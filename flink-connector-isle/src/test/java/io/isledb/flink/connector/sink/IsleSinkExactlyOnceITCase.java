package io.isledb.flink.connector.sink;

import static io.isledb.flink.connector.sink.SinkTestTable.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.CommitMark;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.sink.SinkTestTable.Store;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exactly-once under failover: a checkpoint-paced source into an {@link IsleSink} with induced
 * failures at seeded random rows, in the pipeline before the sink and inside the sink's writers,
 * and one right after a checkpoint's commit landed (so the restore replays a committed checkpoint).
 * The table must end with exactly the model's rows, every row's write committed once (the change
 * log holds one change per row: nothing lost, nothing twice), and at most one version per
 * checkpoint.
 */
class IsleSinkExactlyOnceITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final int ROWS = 3_000;
  private static final int S3_ROWS = 1_000; // every request is an HTTP call: fewer checkpoints
  private static final int KEYS = 500; // more than a checkpoint's rows: one write per key each
  private static final int PER_CHECKPOINT = 100;

  /** Rows at which the map before the sink fails (each once). */
  static final Set<Long> MAP_FAILS = ConcurrentHashMap.newKeySet();

  /** Rows at which a sink writer's serializer fails (each once). */
  static final Set<Long> SINK_FAILS = ConcurrentHashMap.newKeySet();

  /** Whether the map fails once right after it saw a completed checkpoint committed. */
  static final AtomicBoolean AFTER_COMMIT_ARMED = new AtomicBoolean();

  static final AtomicBoolean AFTER_COMMIT_FIRED = new AtomicBoolean();

  @TempDir Path tmp;
  private long seed;

  /** Picks 5 seeded failure rows in {@code [PER_CHECKPOINT, rows - PER_CHECKPOINT)}. */
  private void seedFailures(int rows) {
    seed = Long.getLong("isledb.test.seed", new Random().nextLong());
    Random r = new Random(seed);
    MAP_FAILS.clear();
    SINK_FAILS.clear();
    TreeSet<Long> points = new TreeSet<>();
    while (points.size() < 5) {
      points.add(PER_CHECKPOINT + (long) r.nextInt(rows - 2 * PER_CHECKPOINT));
    }
    int n = 0;
    for (long p : points) {
      (n++ % 2 == 0 ? MAP_FAILS : SINK_FAILS).add(p);
    }
    AFTER_COMMIT_ARMED.set(true);
    AFTER_COMMIT_FIRED.set(false);
    System.out.println(
        "seed "
            + seed
            + " (-Disledb.test.seed="
            + seed
            + "): map fails at "
            + MAP_FAILS
            + ", sink fails at "
            + SINK_FAILS);
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void upsertsLandExactlyOnce(Store store) throws Exception {
    SinkTestTable table = SinkTestTable.create(store, tmp, S3, "eo-upsert");
    int rows = store == Store.FILE ? ROWS : S3_ROWS;
    seedFailures(rows);
    String user = "eo-test-" + store;
    IsleRecordSerializer<Long> serializer =
        (i, out) -> {
          if (SINK_FAILS.remove(i)) {
            throw new IllegalStateException("induced failure in the sink writer at row " + i);
          }
          IsleSinkITCase.upserts(KEYS).serialize(i, out);
        };
    StreamExecutionEnvironment env = environment();
    source(env, rows, table.location(), user)
        .keyBy(i -> i % KEYS)
        .sinkTo(table.sink(serializer).commitUser(user).build())
        .setParallelism(3);
    env.execute("exactly-once upserts " + store);

    assertFailuresFired();
    assertThat(table.read()).as("seed %s", seed).isEqualTo(IsleSinkITCase.model(rows, KEYS));
    List<Change> changes = table.changes();
    assertThat(changes).as("one change per row, seed %s", seed).hasSize(rows);
    Optional<CommitMark> mark;
    try (SharedTables.Lease t = SharedTables.acquire(table.location())) {
      mark = t.db().lastCommitted(user);
    }
    long versions = changes.stream().map(Change::version).distinct().count();
    // Each version commits one checkpoint id, ids ascend: at most one version per checkpoint.
    assertThat(versions).isLessThanOrEqualTo(mark.orElseThrow().identifier());
    assertThat(versions).isGreaterThanOrEqualTo(rows / PER_CHECKPOINT / 2); // it did checkpoint
  }

  @Test
  void appendsLandExactlyOnce() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "eo-append");
    seedFailures(ROWS);
    AFTER_COMMIT_ARMED.set(false); // the default commit user: no after-commit probe
    IsleRecordSerializer<Long> serializer =
        (i, out) -> {
          if (SINK_FAILS.remove(i)) {
            throw new IllegalStateException("induced failure in the sink writer at row " + i);
          }
          out.append(utf8("r" + i));
        };
    StreamExecutionEnvironment env = environment();
    source(env, ROWS, table.location(), null)
        .rebalance()
        .sinkTo(table.sink(serializer).build())
        .setParallelism(3);
    env.execute("exactly-once appends");

    assertThat(MAP_FAILS).isEmpty();
    assertThat(SINK_FAILS).isEmpty();
    List<Long> rows = new ArrayList<>();
    table
        .changes()
        .forEach(
            c ->
                rows.add(
                    Long.parseLong(new String(c.value(), StandardCharsets.UTF_8).substring(1))));
    assertThat(rows).as("seed %s", seed).hasSize(ROWS).doesNotHaveDuplicates();
    List<String> scanned = new ArrayList<>();
    table.readRaw().forEach(kv -> scanned.add(new String(kv.value(), StandardCharsets.UTF_8)));
    assertThat(scanned).hasSize(ROWS).doesNotHaveDuplicates();
  }

  private void assertFailuresFired() {
    assertThat(MAP_FAILS).as("map failures left, seed %s", seed).isEmpty();
    assertThat(SINK_FAILS).as("sink failures left, seed %s", seed).isEmpty();
    assertThat(AFTER_COMMIT_FIRED).as("after-commit failure fired, seed %s", seed).isTrue();
  }

  static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.enableCheckpointing(100);
    return env;
  }

  /** Rows 0..rows-1, PER_CHECKPOINT per checkpoint, through the failure-injecting map. */
  private static DataStream<Long> source(
      StreamExecutionEnvironment env, int rows, TableLocation location, String commitUser) {
    DataGeneratorSource<Long> gen =
        new DataGeneratorSource<>(
            i -> i, rows, RateLimiterStrategy.perCheckpoint(PER_CHECKPOINT), Types.LONG);
    return env.fromSource(gen, WatermarkStrategy.noWatermarks(), "rows")
        .setParallelism(1)
        .map(new FailingMap(location, commitUser))
        .setParallelism(1);
  }

  /**
   * Fails at the rows of {@link #MAP_FAILS}, and once right after a checkpoint it was notified of
   * is committed in the table (the restore then replays a committed checkpoint's committable).
   */
  static final class FailingMap extends RichMapFunction<Long, Long> implements CheckpointListener {
    private final TableLocation location;
    private final String commitUser;
    private transient SharedTables.Lease table;
    private transient long completed;
    private transient int probes;

    FailingMap(TableLocation location, String commitUser) {
      this.location = location;
      this.commitUser = commitUser;
    }

    @Override
    public void open(OpenContext openContext) {
      table = SharedTables.acquire(location);
    }

    @Override
    public Long map(Long i) {
      if (MAP_FAILS.remove(i)) {
        throw new IllegalStateException("induced failure before the sink at row " + i);
      }
      if (commitUser != null && completed > 2 && AFTER_COMMIT_ARMED.get() && probes++ < 5) {
        Optional<CommitMark> mark = table.db().lastCommitted(commitUser);
        if (mark.isPresent()
            && mark.get().identifier() >= completed
            && AFTER_COMMIT_ARMED.compareAndSet(true, false)) {
          AFTER_COMMIT_FIRED.set(true);
          throw new IllegalStateException(
              "induced failure after checkpoint " + mark.get().identifier() + " was committed");
        }
      }
      return i;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      completed = checkpointId;
      probes = 0; // a few probes per checkpoint: each is a cold manifest load
    }

    @Override
    public void close() {
      if (table != null) {
        table.close();
      }
    }
  }
}
