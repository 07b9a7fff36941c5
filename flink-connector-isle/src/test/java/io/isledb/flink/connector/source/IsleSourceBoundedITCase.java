package io.isledb.flink.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bounded scans: one pinned version, split by key range, every row exactly once. */
class IsleSourceBoundedITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  /** Pins seen by a deserializer while the job ran, by consumer id. */
  static final Map<String, Map<String, Long>> PINS_DURING_SCAN = new ConcurrentHashMap<>();

  @TempDir Path dir;

  @Test
  void fileScanAtParallelism4ReturnsEveryRowOnceAndReleasesThePin() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      long version = t.fill(0, 12, 400, "v");
      List<IsleRecord> rows = scan(t, "bounded-file", null, null, null);
      assertEveryRowOnce(rows, t.model, version);
      assertThat(PINS_DURING_SCAN.get("bounded-file")).containsEntry("bounded-file", version);
      awaitPinReleased(t, "bounded-file");
    }
  }

  @Test
  void s3aScanAtParallelism4ReturnsEveryRowOnce() throws Exception {
    try (SourceTestTable t = SourceTestTable.onS3(S3, "bounded")) {
      long version = t.fill(0, 3, 200, "s");
      List<IsleRecord> rows = scan(t, "bounded-s3a", null, null, null);
      assertEveryRowOnce(rows, t.model, version);
      awaitPinReleased(t, "bounded-s3a");
    }
  }

  @Test
  void olderVersionAndKeyRange() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      long old = t.fill(0, 4, 300, "a");
      TreeMap<String, String> atOld = new TreeMap<>(t.model);
      t.fill(100, 3, 300, "b"); // overwrites keys 100..999 and adds more after the old version
      byte[] from = SourceTestTable.key(3);
      byte[] to = SourceTestTable.key(7);
      if (java.util.Arrays.compareUnsigned(from, to) > 0) {
        byte[] x = from;
        from = to;
        to = x;
      }
      TreeMap<String, String> expected =
          new TreeMap<>(
              atOld.subMap(SourceTestTable.hex(from), true, SourceTestTable.hex(to), false));
      List<IsleRecord> rows = scan(t, "bounded-old", old, from, to);
      assertEveryRowOnce(rows, expected, old);
    }
  }

  @Test
  void aVersionThatIsNotRetainedFailsNamingIt() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      t.fill(0, 1, 10, "x");
      assertThatThrownBy(() -> scan(t, "bounded-missing", 999L, null, null))
          .satisfies(
              e ->
                  assertThat(rootMessages(e))
                      .contains("cannot read version 999 of " + t.location.uri())
                      .contains("not retained"));
    }
  }

  /**
   * The enumerator releases the pin when it closes, which Flink does while the job terminates: the
   * collecting iterator may have seen the last row before that.
   */
  private static void awaitPinReleased(SourceTestTable t, String pin) {
    io.isledb.testing.Awaiting.until(
        () -> !t.db.pins().containsKey(pin),
        java.time.Duration.ofSeconds(60),
        () -> "pin " + pin + " released after the bounded job; pins now " + t.db.pins());
  }

  static String rootMessages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private static void assertEveryRowOnce(
      List<IsleRecord> rows, Map<String, String> expected, long version) {
    Map<String, String> seen = new TreeMap<>();
    for (IsleRecord r : rows) {
      assertThat(r.getKind()).isEqualTo(IsleRecord.Kind.SNAPSHOT);
      assertThat(r.getVersion()).isEqualTo(version);
      String prev =
          seen.put(
              SourceTestTable.hex(r.getKey()), new String(r.getValue(), StandardCharsets.UTF_8));
      assertThat(prev).as("row %s emitted twice", SourceTestTable.hex(r.getKey())).isNull();
    }
    assertThat(rows).hasSize(expected.size());
    assertThat(seen).isEqualTo(expected);
  }

  private static List<IsleRecord> scan(
      SourceTestTable t, String consumer, Long version, byte[] from, byte[] to) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(4);
    IsleSourceBuilder<IsleRecord> b =
        IsleSource.<IsleRecord>builder()
            .location(t.location)
            .consumerId(consumer)
            .keyRange(from, to)
            .deserializer(new PinWatchingDeserializer(consumer, t.location));
    IsleSource<IsleRecord> source = (version == null ? b.bounded() : b.bounded(version)).build();
    List<IsleRecord> out = new ArrayList<>();
    try (CloseableIterator<IsleRecord> it =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "isle").executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /** Emits records as they are; records the table's pins at the first record it sees. */
  static final class PinWatchingDeserializer implements IsleRecordDeserializer<IsleRecord> {
    private final String consumer;
    private final io.isledb.flink.connector.internal.TableLocation location;

    PinWatchingDeserializer(String consumer, io.isledb.flink.connector.internal.TableLocation l) {
      this.consumer = consumer;
      this.location = l;
    }

    @Override
    public void deserialize(IsleRecord record, Collector<IsleRecord> out) throws Exception {
      PINS_DURING_SCAN.computeIfAbsent(
          consumer,
          c -> {
            try (SharedTables.Lease lease = SharedTables.acquire(location)) {
              return lease.db().pins();
            }
          });
      IsleRecordDeserializer.bytes().deserialize(record, out);
    }

    @Override
    public TypeInformation<IsleRecord> getProducedType() {
      return TypeInformation.of(IsleRecord.class);
    }
  }
}
