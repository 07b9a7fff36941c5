package io.isledb.flink.connector.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.RequestStats;
import io.isledb.TailPosition;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
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

/** The split reader's tail: what an idle poll costs, and a rollback stops it with a clear error. */
class IsleSplitReaderTest {
  @TempDir Path dir;

  private TableLocation location() {
    return TableLocation.of(dir.toUri() + "table", Map.of());
  }

  private static ScanConfig config(TableLocation l) {
    return new ScanConfig(
        l,
        false,
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
  void anIdleTailCostsOneGetPerPoll() throws Exception {
    TableLocation l = location();
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults());
        SharedTables.Lease lease = SharedTables.acquire(l)) {
      w.put(bytes("a"), bytes("1"));
      w.flush();
      long v = w.lastCommittedVersion();
      IsleSplitReader reader = new IsleSplitReader(config(l));
      try {
        reader.handleSplitsChanges(
            new SplitsAddition<>(
                List.of(
                    IsleSplit.unbounded(0, null, null, -1, new TailPosition(v + 1, 0), "c-0"))));
        assertThat(records(reader.fetch())).isEmpty(); // opens the tail at the position
        RequestStats before = lease.db().store().stats();
        int polls = 25;
        for (int i = 0; i < polls; i++) {
          assertThat(records(reader.fetch())).isEmpty();
        }
        RequestStats idle = lease.db().store().stats().minus(before);
        assertThat(idle.total()).as("requests of %d idle polls: %s", polls, idle).isEqualTo(polls);
        assertThat(idle.gets()).isEqualTo(polls);

        w.put(bytes("b"), bytes("2"));
        w.delete(bytes("a"));
        w.flush();
        List<Fetched> got = records(reader.fetch());
        assertThat(got)
            .extracting(f -> f.record().getKind())
            .containsExactly(IsleRecord.Kind.PUT, IsleRecord.Kind.DELETE);
        assertThat(got.get(1).record().getValue()).isNull();
        assertThat(got.get(1).next()).isEqualTo(new TailPosition(v + 2, 0));
      } finally {
        reader.close();
      }
    }
  }

  @Test
  void aRollbackFailsTheTailNamingTheVersions() throws Exception {
    TableLocation l = location();
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      long pinned;
      try (Writer w = db.openWriter(WriterOptions.defaults())) {
        w.put(bytes("a"), bytes("1"));
        w.flush();
        pinned = w.pinHead("cp-1", PinOptions.defaults());
        w.put(bytes("b"), bytes("2"));
        w.flush();
      }
      IsleSplitReader reader = new IsleSplitReader(config(l));
      try {
        reader.handleSplitsChanges(
            new SplitsAddition<>(
                List.of(
                    IsleSplit.unbounded(
                        0, null, null, -1, new TailPosition(pinned + 1, 0), "c-0"))));
        assertThat(records(reader.fetch())).hasSize(1); // "b", committed after the pin
        db.openWriterRestoredTo(WriterOptions.defaults(), "cp-1").close();
        assertThatThrownBy(() -> records(reader.fetch()))
            .isInstanceOf(IsleException.class)
            .hasMessageContaining("was rolled back to version " + pinned)
            .hasMessageContaining(l.uri())
            .hasMessageContaining("without its state");
      } finally {
        reader.close();
      }
    }
  }

  @Test
  void anAppendOperandInTheTableFailsTheTailNamingTheKey() throws Exception {
    TableLocation l = location();
    try (ObjectStore store = IsleDB.openStore(l.storeUri(), l.prefix());
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults())) {
      w.put(bytes("a"), bytes("1"));
      w.flush();
      long v = w.lastCommittedVersion();
      IsleSplitReader reader = new IsleSplitReader(config(l));
      try {
        reader.handleSplitsChanges(
            new SplitsAddition<>(
                List.of(
                    IsleSplit.unbounded(0, null, null, -1, new TailPosition(v + 1, 0), "c-0"))));
        assertThat(records(reader.fetch())).isEmpty();
        w.append(bytes("a"), bytes("+2"));
        w.flush();
        assertThatThrownBy(() -> records(reader.fetch()))
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
            .hasMessageContaining("append operand")
            .hasMessageContaining("0x61")
            .hasMessageContaining(l.uri())
            .hasMessageContaining("version " + (v + 1));
      } finally {
        reader.close();
      }
    }
  }

  private static List<Fetched> records(RecordsWithSplitIds<Fetched> batch) {
    List<Fetched> out = new ArrayList<>();
    while (batch.nextSplit() != null) {
      Fetched f;
      while ((f = batch.nextRecordFromSplit()) != null) {
        if (f.record() != null) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
