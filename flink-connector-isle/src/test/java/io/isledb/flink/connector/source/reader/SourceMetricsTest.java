package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.TailPosition;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.CapturingMetricGroup;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source reader's isle gauges exist and move: store requests and bytes, block-cache lookups of
 * a scan, and the tail lag in versions (behind after a burst of commits, 0 once caught up).
 */
class SourceMetricsTest {
  @TempDir Path dir;

  private static ScanConfig config(TableLocation l, boolean bounded) {
    return new ScanConfig(
        l,
        bounded,
        StartupMode.LATEST,
        null,
        null,
        null,
        Duration.ofMillis(1),
        "c",
        Duration.ofHours(1),
        1);
  }

  @Test
  void tailLagAndStoreGaugesMove() throws Exception {
    io.isledb.testing.MutableClock clock = new io.isledb.testing.MutableClock(1_000_000_000L);
    TableLocation l = TableLocation.of(dir.toUri() + "table", Map.of());
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults().withClock(clock));
        Writer w = db.openWriter(WriterOptions.defaults());
        SharedTables.Lease lease = SharedTables.acquire(l)) {
      w.put(bytes("a"), bytes("1"));
      w.flush();
      long v = w.lastCommittedVersion();
      SourceGauges gauges = new SourceGauges();
      CapturingMetricGroup group = new CapturingMetricGroup();
      gauges.register(group);
      assertThat(group.value("isle.tailLagVersions").longValue()).isZero();
      assertThat(group.value("isle.store.requests").longValue()).isZero(); // no reader yet

      IsleSplitReader reader = new IsleSplitReader(config(l, false), gauges);
      try {
        reader.handleSplitsChanges(
            new SplitsAddition<>(
                List.of(
                    IsleSplit.unbounded(0, null, null, -1, new TailPosition(v + 1, 0), "c-0"))));
        drain(reader.fetch());
        assertThat(group.value("isle.tailLagVersions").longValue()).isZero();
        long requests = group.value("isle.store.requests").longValue();
        long gets = group.value("isle.store.get").longValue();
        assertThat(requests).isPositive();

        // Three commits of 600 changes: the first poll (1024 changes) stops inside the second.
        long[] commitTimes = new long[3];
        for (int c = 0; c < 3; c++) {
          clock.advance(Duration.ofMinutes(1));
          commitTimes[c] = clock.millis();
          for (int i = 0; i < 600; i++) {
            w.put(bytes(c + "-" + i), bytes("v"));
          }
          w.flush();
        }
        drain(reader.fetch());
        // Behind: the last change emitted was committed at the second commit's time.
        assertThat(gauges.lagMillis(commitTimes[1] + 7_000)).isEqualTo(7_000);
        assertThat(group.value("isle.tailPositionVersion").longValue()).isEqualTo(v + 2);
        assertThat(group.value("isle.tailLagVersions").longValue()).isEqualTo(2);
        assertThat(group.value("isle.store.get").longValue()).isGreaterThan(gets);
        assertThat(group.value("isle.store.bytesRead").longValue()).isPositive();
        assertThat(group.value("isle.store.bytesWritten").longValue())
            .as("the test writes through a store of its own; tailing writes nothing")
            .isZero();

        drain(reader.fetch());
        drain(reader.fetch());
        assertThat(group.value("isle.tailPositionVersion").longValue()).isEqualTo(v + 4);
        assertThat(group.value("isle.tailLagVersions").longValue()).isZero();
        assertThat(gauges.lagMillis(commitTimes[2] + 7_000)).as("caught up").isZero();
        assertThat(group.value("isle.tailLagMillis").longValue()).isZero();
        assertThat(group.value("isle.store.requests").longValue()).isGreaterThan(requests);
      } finally {
        reader.close();
      }

      // A bounded scan's reader: its block cache is looked up, the ratio is a fraction.
      CapturingMetricGroup scanGroup = new CapturingMetricGroup();
      SourceGauges scanGauges = new SourceGauges();
      scanGauges.register(scanGroup);
      assertThat(scanGroup.value("isle.blockCache.hitRatio").doubleValue()).isZero();
      IsleSplitReader scanner = new IsleSplitReader(config(l, true), scanGauges);
      try {
        scanner.handleSplitsChanges(
            new SplitsAddition<>(List.of(IsleSplit.bounded(0, db.currentVersion(), null, null))));
        for (int i = 0; i < 4; i++) {
          drain(scanner.fetch());
        }
        long hits = scanGroup.value("isle.blockCache.hits").longValue();
        long misses = scanGroup.value("isle.blockCache.misses").longValue();
        assertThat(hits + misses).isPositive();
        assertThat(scanGroup.value("isle.blockCache.hitRatio").doubleValue())
            .isEqualTo(hits / (double) (hits + misses));
      } finally {
        scanner.close();
      }
    }
  }

  private static void drain(RecordsWithSplitIds<Fetched> batch) {
    while (batch.nextSplit() != null) {
      while (batch.nextRecordFromSplit() != null) {
        // only the gauges matter here
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
