package io.isledb.flink.connector.sink;

import static io.isledb.flink.connector.sink.SinkTestTable.key;
import static io.isledb.flink.connector.sink.SinkTestTable.longKey;
import static io.isledb.flink.connector.sink.SinkTestTable.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.sink.SinkTestTable.Store;
import io.isledb.testing.S3ServerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bounded jobs into an {@link IsleSink}: upserts, tombstones, appends, TTL, request costs. */
class IsleSinkITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path tmp;

  private static final int ROWS = 2_000;
  private static final int KEYS = 150;

  /** Row {@code i}: key {@code i % keys}; every 7th row deletes its key, the others put "v<i>". */
  static IsleRecordSerializer<Long> upserts(int keys) {
    return (i, out) -> {
      if (i % 7 == 3) {
        out.delete(key(i % keys));
      } else {
        out.put(key(i % keys), utf8("v" + i));
      }
    };
  }

  /** What {@link #upserts} leaves after rows {@code 0..rows-1}, each key's rows in order. */
  static TreeMap<Long, String> model(long rows, int keys) {
    TreeMap<Long, String> m = new TreeMap<>();
    for (long i = 0; i < rows; i++) {
      if (i % 7 == 3) {
        m.remove(i % keys);
      } else {
        m.put(i % keys, "v" + i);
      }
    }
    return m;
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void boundedJobCommitsOneVersionAtEndOfInput(Store store) throws Exception {
    SinkTestTable table = SinkTestTable.create(store, tmp, S3, "bounded");
    // The probe runs once per S3 server and process; other tests of this JVM used this server.
    io.isledb.storage.AtomicityProbes.forget();
    RequestStats first;
    RequestStats cost;
    // Holding the table open makes both jobs share this store (one per table per JVM), so their
    // requests are counted here, and the second job meets a store the first one already used.
    try (SharedTables.Lease held = SharedTables.acquire(table.location())) {
      RequestStats start = held.db().store().stats();
      runUpserts(table, RuntimeExecutionMode.STREAMING, 0, ROWS); // creates the table
      first = held.db().store().stats().minus(start);
      RequestStats before = held.db().store().stats();
      runUpserts(table, RuntimeExecutionMode.STREAMING, ROWS, 2 * ROWS);
      cost = held.db().store().stats().minus(before);
    }

    assertThat(table.read()).isEqualTo(model(2 * ROWS, KEYS));
    assertThat(table.changes().stream().map(Change::version).distinct().count())
        .as("one version per job: each commits once, at end of input")
        .isEqualTo(2);
    // The first job creates the table: the settings object, the committer's claim of the writer
    // role and the commit; on s3a:// also the store's one-off check that conditional creates are
    // atomic (isle-core.md: two creates of one probe object, the second refused with 412, then
    // its DELETE), made by the first writing role on the server: here the first job's.
    boolean s3 = store != Store.FILE;
    assertThat(first.count(RequestKind.CREATE_IF_ABSENT))
        .as("creates of the first job: %s", first)
        .isEqualTo(s3 ? 5 : 3);
    if (s3) {
      assertThat(first.backend("object_put_request.failures")).as("the probe's 412").isEqualTo(1);
      assertThat(cost.backend("object_put_request.failures")).isZero();
    }
    // The second job's cost: one table per writer (both got rows); one manifest create for the
    // commit and one for the committer's claim of the writer role, on both stores (the store
    // object was checked already); the committer's cold manifest load lists snapshots/ while the
    // table has no snapshot yet (fewer than 32 edits), at most twice, and lists the log once to
    // read its edits concurrently (LogTail: one LIST instead of one GET per edit in turn).
    assertThat(cost.count(RequestKind.UPLOAD)).as("table uploads: %s", cost).isEqualTo(2);
    assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).as("creates: %s", cost).isEqualTo(2);
    assertThat(cost.count(RequestKind.LIST_PAGE)).as("lists: %s", cost).isLessThanOrEqualTo(3);
    assertThat(cost.count(RequestKind.STAT)).as("stats: %s", cost).isEqualTo(2); // one per table
  }

  @Test
  void aWriterSpillsBeyondItsBufferAndTheLastWriteOfAKeyStillWins() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "spill");
    String pad = "x".repeat(1000); // 2000 rows of ~1 KiB against a 64 KiB buffer: many spills
    IsleRecordSerializer<Long> serializer = (i, out) -> out.put(key(i % KEYS), utf8("v" + i + pad));
    RequestStats cost;
    try (SharedTables.Lease held = SharedTables.acquire(table.location())) {
      RequestStats before = held.db().store().stats();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.fromSequence(0, ROWS - 1)
          .setParallelism(1)
          .keyBy(i -> i % KEYS)
          .sinkTo(table.sink(serializer).bufferSize(MemorySize.parse("64kb")).build())
          .setParallelism(2);
      env.execute("spills");
      cost = held.db().store().stats().minus(before);
    }
    assertThat(cost.count(RequestKind.UPLOAD)).as("tables spilled: %s", cost).isGreaterThan(10);
    TreeMap<Long, String> expected = new TreeMap<>();
    for (long i = 0; i < ROWS; i++) {
      expected.put(i % KEYS, "v" + i + pad);
    }
    assertThat(table.read()).isEqualTo(expected);
    assertThat(table.changes().stream().map(Change::version).distinct().count()).isEqualTo(1);
  }

  @Test
  void batchJobCommitsAtEndOfInput() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "batch");
    // Batch mode sorts a key's rows, so their order is not the input's: one row per key.
    runUpserts(table, RuntimeExecutionMode.BATCH, 0, KEYS);
    assertThat(table.read()).isEqualTo(model(KEYS, KEYS));
    assertThat(table.changes().stream().map(Change::version).distinct().count()).isEqualTo(1);
  }

  /** Rows {@code from..to-1} through {@link #upserts} at parallelism 2, keyed by key. */
  private static void runUpserts(SinkTestTable table, RuntimeExecutionMode mode, long from, long to)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(mode);
    env.fromSequence(from, to - 1)
        .setParallelism(1) // one source: the rows of a key reach its writer in order
        .keyBy(i -> i % KEYS)
        .sinkTo(table.sink(upserts(KEYS)).build())
        .setParallelism(2);
    env.execute("upserts " + mode);
  }

  @Test
  void aFreshJobUnderAUsedCommitUserIsRefused() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "reused");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromSequence(0, 9)
        .setParallelism(1)
        .sinkTo(table.sink(upserts(KEYS)).commitUser("nightly").build());
    env.execute("first");
    TreeMap<Long, String> before = table.read();

    StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment();
    env2.fromSequence(10, 19)
        .setParallelism(1)
        .sinkTo(table.sink(upserts(KEYS)).commitUser("nightly").build());
    assertThatThrownBy(() -> env2.execute("second"))
        .satisfies(
            e ->
                assertThat(
                        ExceptionUtils.findThrowableWithMessage(
                            e, "sink.commit-user 'nightly' already committed checkpoint 1"))
                    .isPresent());
    assertThat(table.read()).isEqualTo(before);
  }

  @Test
  void appendedRowsAreEachKeptOnceInWriterOrder() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "append");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromSequence(0, ROWS - 1)
        .setParallelism(1)
        .rebalance()
        .map(i -> utf8("r" + i))
        .setParallelism(3)
        .sinkTo(table.sink(IsleRecordSerializer.appendBytes()).build())
        .setParallelism(3);
    env.execute("append");

    Map<String, List<Long>> byWriter = new TreeMap<>();
    List<Long> all = new ArrayList<>();
    try (var store = table.openStore();
        var reader = io.isledb.IsleDB.openReader(store, io.isledb.ReaderOptions.defaults());
        var view = reader.snapshot();
        var it = view.scan(null, null)) {
      while (it.hasNext()) {
        var kv = it.next();
        assertThat(kv.key()).hasSize(28);
        long i = Long.parseLong(new String(kv.value(), StandardCharsets.UTF_8).substring(1));
        all.add(i);
        String writer = java.util.HexFormat.of().formatHex(kv.key(), 0, 12); // job | subtask
        byWriter.computeIfAbsent(writer, w -> new ArrayList<>()).add(i);
      }
    }
    assertThat(all).hasSize(ROWS).doesNotHaveDuplicates();
    assertThat(byWriter).hasSize(3);
    // Key order within a writer is its append order: the rebalanced sequence ascends per writer.
    byWriter.values().forEach(rows -> assertThat(rows).isSorted());
  }

  @Test
  void rowsGetTheSinkTtlOrTheirOwn() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "ttl");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IsleRecordSerializer<Long> serializer =
        (i, out) -> {
          if (i % 2 == 0) {
            out.put(key(i), utf8("short" + i), Duration.ofMillis(1)); // expired when read
          } else {
            out.put(key(i), utf8("long" + i)); // the sink's ttl: a day
          }
        };
    env.fromSequence(0, 99)
        .setParallelism(1)
        .sinkTo(table.sink(serializer).ttl(Duration.ofDays(1)).build())
        .setParallelism(1);
    env.execute("ttl");

    TreeMap<Long, String> rows = table.read();
    assertThat(rows.keySet()).allMatch(k -> k % 2 == 1).hasSize(50);
    Map<Boolean, List<Long>> expiries =
        table.changes().stream()
            .collect(
                Collectors.partitioningBy(
                    c -> longKey(c.key()) % 2 == 1,
                    Collectors.mapping(Change::expiresAtMillis, Collectors.toList())));
    assertThat(expiries.get(true)).hasSize(50).allMatch(e -> e > 0);
    assertThat(expiries.get(false)).hasSize(50).allMatch(e -> e > 0);
    // A day against a millisecond: the long-lived rows expire about a day later.
    long shortest = expiries.get(true).stream().mapToLong(Long::longValue).min().orElseThrow();
    long latestShort = expiries.get(false).stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(shortest - latestShort).isGreaterThan(Duration.ofHours(23).toMillis());
  }

  @Test
  void withoutSinkTtlRowsNeverExpire() throws Exception {
    SinkTestTable table = SinkTestTable.create(Store.FILE, tmp, S3, "nottl");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromSequence(0, 9)
        .setParallelism(1)
        .map(i -> Tuple2.of(key(i), ByteBuffer.allocate(8).putLong(i).array()))
        .returns(Types.TUPLE(Types.PRIMITIVE_ARRAY(Types.BYTE), Types.PRIMITIVE_ARRAY(Types.BYTE)))
        .sinkTo(table.sink(IsleRecordSerializer.bytes()).build());
    env.execute("no ttl");
    assertThat(table.changes()).hasSize(10).allMatch(c -> c.expiresAtMillis() == 0);
  }
}
