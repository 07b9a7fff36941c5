package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer that stopped (a job cancelled after a checkpoint) keeps what it needs through its
 * history pin, moved to its last completed checkpoint: aggressive compaction and GC (clock hours
 * ahead, past the grace period and the log retention) collect older history, yet the consumer,
 * resumed from its checkpointed split, gets every change committed while it was away.
 */
class PausedConsumerTest {
  @TempDir Path dir;

  @Test
  void aPausedConsumerSurvivesCompactionAndGc() throws Exception {
    TableLocation l = TableLocation.of(dir.toUri() + "table", Map.of());
    ScanConfig config =
        new ScanConfig(
            l,
            false,
            StartupMode.LATEST,
            null,
            null,
            null,
            Duration.ofMillis(1),
            "paused",
            Duration.ofDays(30),
            1);
    MutableClock gcClock = new MutableClock(System.currentTimeMillis());
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        ObjectStore gcStore = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB gcDb = IsleDB.open(gcStore, DBOptions.defaults().withClock(gcClock))) {
      // Only GC's clock jumps ahead, so every phase writes with a freshly opened writer: an author
      // measures its own idle time on its own clock (PROTOCOL.md, "Authors left behind"), and a
      // clock that runs hours faster elsewhere is outside what the protocol assumes.
      // History before the consumer: compacted and snapshotted, so GC may collect it.
      try (Writer w = db.openWriter(WriterOptions.defaults())) {
        for (int f = 0; f < 10; f++) {
          write(w, f, "old");
        }
      }
      compactAll(db);
      long deleted = 0;
      GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults());
      deleted += collect(gc, gcClock);
      long start = db.currentVersion();
      db.pinHistory("paused-0", start, PinOptions.defaults()); // as the enumerator does
      IsleSplit split =
          IsleSplit.unbounded(0, null, null, -1, new TailPosition(start + 1, 0), "paused-0");

      // Run: read one commit, then a checkpoint completes at the position after it.
      List<String> seen = new ArrayList<>();
      try (Writer w = db.openWriter(WriterOptions.defaults())) {
        write(w, 3, "run");
      }
      TailPosition checkpointed = readAll(config, split, seen, 21);
      HistoryPins pins = new HistoryPins(config, "test");
      pins.checkpointed(1, List.of(split.withProgress(null, true, checkpointed)));
      pins.completed(1);
      pins.close();
      assertThat(db.pins()).containsEntry("paused-0", checkpointed.version() - 1);

      // Paused: many commits overwriting the same keys, compacted, then GC far in the future.
      List<String> expected = new ArrayList<>();
      try (Writer w = db.openWriter(WriterOptions.defaults())) {
        for (int f = 4; f < 24; f++) {
          expected.addAll(write(w, f, "away"));
        }
      }
      compactAll(db);
      deleted += collect(gc, gcClock);
      gc.close();
      assertThat(deleted).as("GC collected older history").isPositive();
      // An unpinned position of the same age is gone: that is what the pin protects against.
      try (TailingReader unpinned = db.openTailingReader(TailingReaderOptions.defaults())) {
        assertThatThrownBy(() -> unpinned.poll(new TailPosition(2, 0), 10))
            .hasMessageContaining("no longer retained");
      }

      // Resumed from the checkpointed split: every change made while away, in commit order.
      List<String> resumed = new ArrayList<>();
      readAll(config, split.withProgress(null, true, checkpointed), resumed, expected.size());
      assertThat(resumed).isEqualTo(expected);
    }
  }

  private static void compactAll(IsleDB db) {
    try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      int compactions = 0;
      while (c.runOnce().isPresent()) {
        compactions++;
      }
      assertThat(compactions).isPositive();
    }
  }

  /** Three GC passes, the clock hours ahead before each next one; objects deleted. */
  private static long collect(GarbageCollector gc, MutableClock clock) {
    long deleted = 0;
    for (int pass = 0; pass < 3; pass++) {
      GcResult r = gc.runOnce();
      deleted += r.deletedTables() + r.deletedLogEdits();
      clock.advance(Duration.ofHours(3));
    }
    return deleted;
  }

  /** One commit: puts of keys 0..19 (overwrites) and a delete; returns the changes. */
  private static List<String> write(Writer w, int f, String tag) {
    List<String> changes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String v = tag + "-" + f + "-" + i;
      w.put(key(i), v.getBytes(StandardCharsets.UTF_8));
      changes.add("PUT " + i + " " + v);
    }
    w.delete(key(f % 20));
    changes.add("DELETE " + (f % 20));
    w.flush();
    return changes;
  }

  private static byte[] key(int i) {
    return new byte[] {(byte) i};
  }

  /** Reads {@code count} changes of {@code split} with a fresh split reader; the position after. */
  private static TailPosition readAll(
      ScanConfig config, IsleSplit split, List<String> out, int count) throws Exception {
    IsleSplitReader reader = new IsleSplitReader(config);
    TailPosition last = split.tail();
    try {
      reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
      for (int polls = 0; out.size() < count && polls < 1000; polls++) {
        RecordsWithSplitIds<Fetched> batch = reader.fetch();
        while (batch.nextSplit() != null) {
          Fetched f;
          while ((f = batch.nextRecordFromSplit()) != null) {
            if (f.record() != null) {
              IsleRecord r = f.record();
              out.add(
                  r.isDelete()
                      ? "DELETE " + r.getKey()[0]
                      : "PUT "
                          + r.getKey()[0]
                          + " "
                          + new String(r.getValue(), StandardCharsets.UTF_8));
            }
            if (f.next() != null) {
              last = f.next();
            }
          }
        }
      }
    } finally {
      reader.close();
    }
    assertThat(out).hasSize(count);
    return last;
  }
}
