package io.isledb.flink.connector.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.FencedException;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committer without Flink around it: one version per committable, replays are no-ops, the
 * requests of one checkpoint's commit, and fencing between two committers.
 */
class IsleCommitterTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path tmp;
  private TableLocation location;
  private SharedTables.Lease table;

  @BeforeEach
  void open() {
    useTable(TableLocation.of(tmp.resolve("t").toUri().toString(), Map.of()));
  }

  private void useTable(TableLocation at) {
    if (table != null) {
      table.close();
    }
    location = at;
    table = SharedTables.acquire(location);
  }

  @AfterEach
  void close() {
    table.close();
  }

  /** What {@code writers} writer subtasks upload for a checkpoint: one table each. */
  private List<SstHandle> writeCheckpoint(long checkpoint, int writers) {
    List<SstHandle> handles = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      try (SstWriter sst = table.db().newSstWriter(SstWriterOptions.defaults())) {
        sst.put(("k" + w).getBytes(StandardCharsets.UTF_8), ("c" + checkpoint).getBytes());
        handles.addAll(sst.finish());
      }
    }
    return handles;
  }

  private RequestStats stats() {
    return table.db().store().stats();
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "s3a"})
  void oneVersionPerCheckpointAndItsRequests(String scheme) {
    if (scheme.equals("s3a")) {
      Map<String, String> options = new java.util.HashMap<>();
      S3.hadoopConf().forEach((k, v) -> options.put("hadoop." + k, v));
      useTable(TableLocation.of(S3.uri() + "/" + S3.newPrefix("committer"), options));
    }
    IsleCommitter committer = new IsleCommitter(location, Map.of(), Set.of(), null);
    try {
      committer.commit(List.of(new Request(new IsleCommittable("u", 1, writeCheckpoint(1, 2)))));
      for (long cp = 2; cp <= 4; cp++) {
        long version = table.db().currentVersion();
        RequestStats beforeWriters = stats();
        List<SstHandle> handles = writeCheckpoint(cp, 2);
        RequestStats writers = stats().minus(beforeWriters);
        RequestStats beforeCommit = stats();
        committer.commit(List.of(new Request(new IsleCommittable("u", cp, handles))));
        RequestStats commit = stats().minus(beforeCommit);

        assertThat(table.db().currentVersion()).isEqualTo(version + 1);
        // Two writers: one table upload each and two lease writes each.
        assertThat(writers.count(RequestKind.UPLOAD)).as("%s", writers).isEqualTo(2);
        assertThat(writers.count(RequestKind.PUT)).as("%s", writers).isEqualTo(4);
        // The commit: one manifest create, one STAT per table, one GET (the next slot), the leases'
        // deletion, nothing uploaded or listed.
        assertThat(commit.count(RequestKind.CREATE_IF_ABSENT)).as("%s", commit).isEqualTo(1);
        assertThat(commit.count(RequestKind.STAT)).as("%s", commit).isEqualTo(2);
        // The leases go in one bulk DELETE on S3, one DELETE each on file://.
        assertThat(commit.count(RequestKind.DELETE))
            .as("%s", commit)
            .isEqualTo(scheme.equals("s3a") ? 1 : 2);
        assertThat(commit.gets()).as("%s", commit).isEqualTo(1);
        assertThat(commit.count(RequestKind.LIST_PAGE)).as("%s", commit).isZero();
        assertThat(commit.count(RequestKind.UPLOAD) + commit.count(RequestKind.PUT))
            .as("%s", commit)
            .isZero();
      }
    } finally {
      committer.close();
    }
  }

  @Test
  void aReplayIsANoOpInAnyOrder() {
    IsleCommittable cp3 = new IsleCommittable("u", 3, writeCheckpoint(3, 1));
    IsleCommittable cp4 = new IsleCommittable("u", 4, writeCheckpoint(4, 1));
    IsleCommitter first = new IsleCommitter(location, Map.of(), Set.of(), null);
    try {
      // Flink hands checkpoints in any order: the committer commits them by id.
      first.commit(List.of(new Request(cp4), new Request(cp3)));
    } finally {
      first.close();
    }
    long version = table.db().currentVersion();
    assertThat(table.db().lastCommitted("u").orElseThrow().identifier()).isEqualTo(4);

    // A committer restarted elsewhere replays both: nothing appended, both already committed.
    IsleCommitter restarted = new IsleCommitter(location, Map.of(), Set.of(), null);
    try {
      Request r3 = new Request(cp3);
      Request r4 = new Request(cp4);
      restarted.commit(List.of(r3, r4));
      assertThat(r3.alreadyCommitted).isTrue();
      assertThat(r4.alreadyCommitted).isTrue();
    } finally {
      restarted.close();
    }
    assertThat(table.db().currentVersion()).isEqualTo(version);
  }

  @Test
  void aNewerCommitterFencesAnOlderOneForGood() {
    IsleCommitter older = new IsleCommitter(location, Map.of(), Set.of(), null);
    IsleCommitter newer = new IsleCommitter(location, Map.of(), Set.of(), null);
    try {
      older.commit(List.of(new Request(new IsleCommittable("a", 1, writeCheckpoint(1, 1)))));
      newer.commit(List.of(new Request(new IsleCommittable("b", 1, writeCheckpoint(1, 1)))));
      List<SstHandle> late = writeCheckpoint(2, 1);
      assertThatThrownBy(
              () -> older.commit(List.of(new Request(new IsleCommittable("a", 2, late)))))
          .isInstanceOf(SuppressRestartsException.class)
          .cause()
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("commit user 'a'")
          .hasMessageContaining("checkpoint 2")
          .hasMessageContaining(location.uri());
      assertThat(table.db().lastCommitted("a").orElseThrow().identifier()).isEqualTo(1);
    } finally {
      older.close();
      newer.close();
    }
  }

  @Test
  void tablePropertiesLandWithTheFirstCommitOfEachInstance() {
    Map<String, String> props = Map.of("isle.schema", "id BIGINT", "isle.encoding", "1");
    IsleCommitter committer = new IsleCommitter(location, props, Set.of(), null);
    try {
      assertThat(table.db().currentVersion()).isZero();
      committer.commit(List.of(new Request(new IsleCommittable("u", 1, writeCheckpoint(1, 1)))));
      long first = table.db().currentVersion();
      try (var reader = table.db().openReader(io.isledb.ReaderOptions.defaults());
          var view = reader.openVersion(first)) {
        assertThat(view.properties()).containsAllEntriesOf(props); // atomically with the rows
      }
      // A replay (after a restart) sets nothing; the instance's next new commit carries them.
      IsleCommitter restarted =
          new IsleCommitter(location, Map.of("isle.encoding", "2"), Set.of(), null);
      try {
        restarted.commit(List.of(new Request(new IsleCommittable("u", 1, List.of()))));
        assertThat(table.db().currentVersion()).isEqualTo(first);
        restarted.commit(List.of(new Request(new IsleCommittable("u", 2, writeCheckpoint(2, 1)))));
      } finally {
        restarted.close();
      }
      try (var reader = table.db().openReader(io.isledb.ReaderOptions.defaults());
          var view = reader.snapshot()) {
        assertThat(view.properties())
            .containsEntry("isle.encoding", "2")
            .containsEntry("isle.schema", "id BIGINT");
      }
    } finally {
      committer.close();
    }
  }

  /** A commit request as Flink's committer operator hands it over. */
  static final class Request implements CommitRequest<IsleCommittable> {
    private final IsleCommittable committable;
    boolean alreadyCommitted;

    Request(IsleCommittable committable) {
      this.committable = committable;
    }

    @Override
    public IsleCommittable getCommittable() {
      return committable;
    }

    @Override
    public int getNumberOfRetries() {
      return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
      throw new AssertionError("failed", t);
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
      throw new AssertionError("failed", t);
    }

    @Override
    public void retryLater() {
      throw new AssertionError("retry");
    }

    @Override
    public void updateAndRetryLater(IsleCommittable c) {
      throw new AssertionError("retry");
    }

    @Override
    public void signalAlreadyCommitted() {
      alreadyCommitted = true;
    }
  }

  @Test
  void aWriteOnceTablePropertyWithAnotherValueRefusesTheFirstCommit() {
    IsleCommitter first = new IsleCommitter(location, Map.of("s.1", "a"), Set.of("s.1"), null);
    IsleCommitter second = new IsleCommitter(location, Map.of("s.1", "b"), Set.of("s.1"), null);
    IsleCommitter same = new IsleCommitter(location, Map.of("s.1", "a"), Set.of("s.1"), null);
    try {
      first.commit(List.of(new Request(new IsleCommittable("u1", 1, writeCheckpoint(1, 1)))));
      long version = table.db().currentVersion();
      assertThatThrownBy(
              () ->
                  second.commit(
                      List.of(new Request(new IsleCommittable("u2", 1, writeCheckpoint(2, 1))))))
          .isInstanceOf(SuppressRestartsException.class)
          .cause()
          .hasMessageContaining("'s.1'")
          .hasMessageContaining(location.uri());
      assertThat(table.db().currentVersion()).isEqualTo(version); // nothing landed
      same.commit(List.of(new Request(new IsleCommittable("u3", 1, writeCheckpoint(3, 1)))));
      assertThat(table.db().currentVersion()).isGreaterThan(version);
    } finally {
      first.close();
      second.close();
      same.close();
    }
  }
}
