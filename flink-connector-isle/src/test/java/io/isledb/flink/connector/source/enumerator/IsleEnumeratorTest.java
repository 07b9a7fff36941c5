package io.isledb.flink.connector.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.TailPosition;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.internal.SplitsFinishedEvent;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enumerator's pins across failovers: a bounded scan's pin survives a restart and is found
 * again from the state (the version is not planned again), and is released only once a completed
 * checkpoint (or, without checkpoints, the end) saw every split finished; an unbounded scan pins
 * each split's history and pushes split {@code i} to subtask {@code i mod parallelism}.
 */
class IsleEnumeratorTest {
  @TempDir Path dir;
  private TableLocation location;
  private ObjectStore store;
  private IsleDB db;
  private Writer writer;

  @BeforeEach
  void table() {
    location = TableLocation.of(dir.toUri() + "table", Map.of());
    store = IsleDB.openStore(location.storeUri(), location.prefix());
    db = IsleDB.open(store, DBOptions.defaults());
    writer = db.openWriter(WriterOptions.defaults());
    commit(0, 2000);
  }

  @AfterEach
  void close() {
    writer.close();
    db.close();
    store.close();
  }

  private long commit(int first, int n) {
    for (int i = first; i < first + n; i++) {
      writer.put(ByteBuffer.allocate(4).putInt(i * 2_000_003).array(), new byte[] {1});
    }
    writer.flush();
    return writer.lastCommittedVersion();
  }

  private ScanConfig config(boolean bounded, StartupMode mode) {
    return new ScanConfig(
        location,
        bounded,
        mode,
        null,
        null,
        null,
        Duration.ofSeconds(1),
        "c",
        Duration.ofHours(1),
        2);
  }

  @Test
  void boundedPinSurvivesAFailoverAndGoesOnceACompletedCheckpointSawEverythingFinished()
      throws Exception {
    long version = writer.lastCommittedVersion();
    ScanConfig config = config(true, StartupMode.FULL);
    IsleEnumeratorState state;
    List<IsleSplit> assigned = new ArrayList<>();
    try (MockSplitEnumeratorContext<IsleSplit> ctx = new MockSplitEnumeratorContext<>(2)) {
      IsleEnumerator e = new IsleEnumerator(config, ctx, IsleEnumeratorState.initial());
      e.start();
      assertThat(db.pins()).containsEntry("c", version);
      e.handleSplitRequest(0, "host");
      assigned.addAll(ctx.getSplitsAssignmentSequence().get(0).assignment().get(0));
      state = e.snapshotState(1);
      e.notifyCheckpointComplete(1);
      e.close(); // a failover: splits are unfinished, the pin stays
    }
    assertThat(state.pending()).isNotEmpty();
    assertThat(state.unfinished()).hasSize(state.pending().size() + assigned.size());
    assertThat(db.pins()).containsEntry("c", version);

    commit(5000, 10); // newer versions do not change what the restored job reads
    try (MockSplitEnumeratorContext<IsleSplit> ctx = new MockSplitEnumeratorContext<>(2)) {
      IsleEnumerator e = new IsleEnumerator(config, ctx, state);
      e.start();
      List<String> all = new ArrayList<>();
      assigned.forEach(s -> all.add(s.splitId()));
      for (int i = 0; i < state.pending().size(); i++) {
        e.handleSplitRequest(i % 2, "host");
      }
      for (SplitsAssignment<IsleSplit> a : ctx.getSplitsAssignmentSequence()) {
        a.assignment().values().forEach(l -> l.forEach(s -> all.add(s.splitId())));
        a.assignment()
            .values()
            .forEach(l -> l.forEach(s -> assertThat(s.snapshotVersion()).isEqualTo(version)));
      }
      e.handleSplitRequest(0, "host");
      assertThat(ctx.hasNoMoreSplits(0)).isTrue();
      e.snapshotState(2);
      e.handleSourceEvent(0, new SplitsFinishedEvent(all));
      e.notifyCheckpointComplete(2); // taken before the reports: not yet
      assertThat(db.pins()).containsKey("c");
      e.snapshotState(3);
      e.notifyCheckpointComplete(3);
      assertThat(db.pins()).doesNotContainKey("c");
      e.close();
    }
  }

  @Test
  void withoutCheckpointsTheEndReleasesTheBoundedPin() throws Exception {
    ScanConfig config = config(true, StartupMode.FULL);
    try (MockSplitEnumeratorContext<IsleSplit> ctx = new MockSplitEnumeratorContext<>(1)) {
      IsleEnumerator e = new IsleEnumerator(config, ctx, IsleEnumeratorState.initial());
      e.start();
      List<String> ids = new ArrayList<>();
      IsleEnumeratorState s = e.snapshotState(0); // only to read the plan; not completed
      s.pending().forEach(x -> ids.add(x.splitId()));
      e.handleSourceEvent(0, new SplitsFinishedEvent(ids));
      e.close(); // a checkpoint was taken but none completed after the end: keep it (ttl)
      assertThat(db.pins()).containsKey("c");
    }
    try (MockSplitEnumeratorContext<IsleSplit> ctx = new MockSplitEnumeratorContext<>(1)) {
      IsleEnumerator e = new IsleEnumerator(config, ctx, IsleEnumeratorState.initial());
      e.start();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ids.add(IsleSplit.idOf(i));
      }
      e.handleSourceEvent(0, new SplitsFinishedEvent(ids));
      e.close(); // batch mode: no checkpoints at all
      assertThat(db.pins()).doesNotContainKey("c");
    }
  }

  @Test
  void fullModePinsEachSplitsHistoryAndPushesSplitsToTheirOwners() throws Exception {
    long version = writer.lastCommittedVersion();
    try (MockSplitEnumeratorContext<IsleSplit> ctx = new MockSplitEnumeratorContext<>(2)) {
      IsleEnumerator e =
          new IsleEnumerator(config(false, StartupMode.FULL), ctx, IsleEnumeratorState.initial());
      e.start();
      assertThat(db.pins()).containsEntry("c-0", version).containsEntry("c-1", version);
      ctx.registerReader(new ReaderInfo(1, "host"));
      e.addReader(1);
      IsleSplit s = ctx.getSplitsAssignmentSequence().get(0).assignment().get(1).get(0);
      assertThat(s.index()).isEqualTo(1);
      assertThat(s.snapshotVersion()).isEqualTo(version);
      assertThat(s.tail()).isEqualTo(new TailPosition(version + 1, 0));
      e.addSplitsBack(List.of(s), 1); // its reader failed: back to it when it registers again
      ctx.registerReader(new ReaderInfo(0, "host"));
      e.addReader(0);
      assertThat(ctx.getSplitsAssignmentSequence()).hasSize(3);
      assertThat(ctx.getSplitsAssignmentSequence().get(2).assignment()).containsOnlyKeys(0);
      e.close();
    }
    assertThat(db.pins()).containsKeys("c-0", "c-1"); // history pins outlive the job
  }
}
