package io.isledb.flink.connector.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.testing.Awaiting;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unbounded scans: 'full' emits the rows of the version it started at, then every change committed
 * after it, in commit order per key; 'latest' only the changes after the job started.
 */
class IsleSourceStreamingITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path dir;

  @Test
  void fullModeOnFileSeesTheSnapshotThenLaterChanges() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      fullMode(t, "full-file", 3, 200);
    }
  }

  @Test
  void fullModeOnS3a() throws Exception {
    try (SourceTestTable t = SourceTestTable.onS3(S3, "full")) {
      fullMode(t, "full-s3a", 2, 100);
    }
  }

  private void fullMode(SourceTestTable t, String consumer, int flushes, int perFlush)
      throws Exception {
    long v0 = t.fill(0, flushes, perFlush, "a");
    TreeMap<String, String> atStart = new TreeMap<>(t.model);
    IsleSource<IsleRecord> source =
        IsleSource.<IsleRecord>builder()
            .location(t.location)
            .startupMode(StartupMode.FULL)
            .consumerId(consumer)
            .pollInterval(Duration.ofMillis(50))
            .deserializer(IsleRecordDeserializer.bytes())
            .build();
    try (CloseableIterator<IsleRecord> it = run(source, 2)) {
      Map<String, String> snapshot = new TreeMap<>();
      for (int i = 0; i < atStart.size(); i++) {
        IsleRecord r = it.next();
        assertThat(r.getKind()).isEqualTo(IsleRecord.Kind.SNAPSHOT);
        assertThat(r.getVersion()).isEqualTo(v0);
        assertThat(snapshot.put(SourceTestTable.hex(r.getKey()), value(r))).isNull();
      }
      assertThat(snapshot).isEqualTo(atStart);
      // Both splits' history pins keep the start version while no checkpoint moved them.
      assertThat(t.db.pins()).containsEntry(consumer + "-0", v0).containsEntry(consumer + "-1", v0);

      int before = t.changes.size();
      writeChanges(t);
      List<String> expected = t.changes.subList(before, t.changes.size());
      List<IsleRecord> got = new ArrayList<>();
      for (int i = 0; i < expected.size(); i++) {
        got.add(it.next());
      }
      assertChangesInCommitOrderPerKey(got, expected, v0);
    }
  }

  @Test
  void latestModeSeesOnlyChangesAfterTheStart() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      long v0 = t.fill(0, 2, 100, "a");
      IsleSource<IsleRecord> source =
          IsleSource.<IsleRecord>builder()
              .location(t.location)
              .startupMode(StartupMode.LATEST)
              .consumerId("latest")
              .pollInterval(Duration.ofMillis(50))
              .deserializer(IsleRecordDeserializer.bytes())
              .build();
      try (CloseableIterator<IsleRecord> it = run(source, 2)) {
        // The enumerator pinned its start version: everything committed from now on is new.
        Awaiting.until(
            () -> t.db.pins().containsKey("latest-0"),
            Duration.ofMinutes(2),
            () -> "the source's history pin; pins: " + t.db.pins());
        assertThat(t.db.pins()).containsEntry("latest-0", v0).doesNotContainKey("latest-1");
        int before = t.changes.size();
        writeChanges(t);
        List<String> expected = t.changes.subList(before, t.changes.size());
        List<IsleRecord> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
          got.add(it.next());
        }
        // One split tails the whole table: the changes arrive exactly in commit order.
        assertThat(got.stream().map(SourceTestTable::change).toList()).isEqualTo(expected);
      }
    }
  }

  @Test
  void theDefaultConsumerIdNamesTheJobAndTheOperator() throws Exception {
    try (SourceTestTable t = SourceTestTable.onFile(dir)) {
      t.fill(0, 1, 10, "a");
      IsleSource<IsleRecord> source =
          IsleSource.<IsleRecord>builder()
              .location(t.location)
              .startupMode(StartupMode.LATEST)
              .deserializer(IsleRecordDeserializer.bytes())
              .build();
      try (CloseableIterator<IsleRecord> it = run(source, 1)) {
        Awaiting.until(
            () -> !t.db.pins().isEmpty(), Duration.ofMinutes(2), () -> "the source's history pin");
        io.isledb.PinInfo pin = t.db.pinInfos().get(0);
        assertThat(pin.name()).matches("flink-[0-9a-f]{32}-[0-9a-f]{32}-0");
        assertThat(pin.history()).isTrue();
        assertThat(pin.owner())
            .hasValueSatisfying(o -> assertThat(o).matches("flink job [0-9a-f]{32}"));
        assertThat(pin.name()).contains(pin.owner().get().substring("flink job ".length()));
        assertThat(pin.expiresAtMillis()).isPresent();
      }
    }
  }

  /** Overwrites, new keys and deletes in several commits. */
  private static void writeChanges(SourceTestTable t) {
    for (int f = 0; f < 4; f++) {
      for (int i = 0; i < 30; i++) {
        t.put(i * 7L + f, "b-" + f + "-" + i);
      }
      t.put(10_000 + f, "new-" + f);
      t.delete(3 + f);
      t.put(3 + f, "again-" + f); // a key deleted and written in one commit: both are emitted
      t.flush();
    }
  }

  static void assertChangesInCommitOrderPerKey(
      List<IsleRecord> got, List<String> expected, long afterVersion) {
    Map<String, List<String>> expectedByKey = byKey(expected);
    Map<String, List<String>> gotByKey = new LinkedHashMap<>();
    for (IsleRecord r : got) {
      assertThat(r.getKind()).isNotEqualTo(IsleRecord.Kind.SNAPSHOT);
      assertThat(r.getVersion()).isGreaterThan(afterVersion);
      String c = SourceTestTable.change(r);
      gotByKey.computeIfAbsent(c.split(" ")[1], k -> new ArrayList<>()).add(c);
    }
    assertThat(gotByKey).isEqualTo(expectedByKey);
  }

  static Map<String, List<String>> byKey(List<String> changes) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String c : changes) {
      out.computeIfAbsent(c.split(" ")[1], k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  private static String value(IsleRecord r) {
    return new String(r.getValue(), StandardCharsets.UTF_8);
  }

  private static CloseableIterator<IsleRecord> run(IsleSource<IsleRecord> source, int parallelism)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), "isle").executeAndCollect();
  }
}
