package io.isledb.db;

import static io.isledb.db.RollbackModelTestBase.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.CommitState;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IsleDB#removeCommitUser}: a removed user's mark is gone from every later version and from
 * every replay (cold loads, snapshots); its next commit starts a fresh mark; removal makes room
 * under the limit of {@link CommitState#MAX_COMMIT_USERS} users; it goes through an open writer
 * without fencing it.
 */
class CommitUserRemovalTest {
  @TempDir Path cacheDir;

  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final DBOptions dbo =
      DBOptions.defaults().withClock(clock).withSnapshotEvery(8).withLogRetention(Duration.ZERO);

  private Optional<CommitMark> coldMark(String user) {
    try (IsleDB other = IsleDB.open(store, dbo)) {
      return other.lastCommitted(user);
    }
  }

  @Test
  void aRemovedUserIsGoneFromEveryReplayAndItsNextCommitStartsAFreshMark() {
    try (IsleDB db = IsleDB.open(store, dbo)) {
      db.commit(List.of(), "job-1", 5);
      db.commit(List.of(), "job-2", 9);
      CommitResult removed = db.removeCommitUser("job-1");
      assertThat(removed.duplicate()).isFalse();
      assertThat(removed.version()).isEqualTo(db.currentVersion());
      assertThat(db.lastCommitted("job-1")).isEmpty();
      assertThat(db.lastCommitted("job-2")).map(CommitMark::identifier).contains(9L);
      assertThat(coldMark("job-1")).as("a cold replay of the log").isEmpty();

      // Removing again appends nothing.
      long before = db.currentVersion();
      CommitResult again = db.removeCommitUser("job-1");
      assertThat(again).isEqualTo(new CommitResult(before, true));
      assertThat(db.currentVersion()).isEqualTo(before);
      assertThat(db.removeCommitUser("never-committed")).isEqualTo(new CommitResult(before, true));

      // The documented consequence: identifier 3 (below the removed mark 5) commits again.
      CommitResult fresh = db.commit(List.of(), "job-1", 3);
      assertThat(fresh.duplicate()).as("a fresh mark accepts any identifier").isFalse();
      assertThat(db.lastCommitted("job-1")).contains(new CommitMark("job-1", 3, fresh.version()));
      assertThat(db.commit(List.of(), "job-1", 3).duplicate()).isTrue();

      // Past a few snapshots, the marks replay from snapshots the same way.
      for (int i = 0; i < 20; i++) {
        db.commit(List.of(), "job-2", 10 + i);
      }
      db.removeCommitUser("job-2");
      ManifestState head = new Manifest(store).loadLatestListed();
      assertThat(head.commits().users().keySet()).containsExactly("job-1");
      assertThat(coldMark("job-2")).isEmpty();
      assertThat(coldMark("job-1")).map(CommitMark::identifier).contains(3L);
    }
  }

  @Test
  void removalMakesRoomUnderTheUserLimit() {
    // Few snapshots: each one carries every user's mark.
    try (IsleDB db = IsleDB.open(store, dbo.withSnapshotEvery(1024))) {
      for (int i = 0; i < CommitState.MAX_COMMIT_USERS; i++) {
        db.commit(List.of(), "job-" + i, 1);
      }
      assertThatThrownBy(() -> db.commit(List.of(), "job-new", 1))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
                assertThat(e.getMessage())
                    .contains("'job-new'")
                    .contains("limit is " + CommitState.MAX_COMMIT_USERS)
                    .contains("removeCommitUser");
              });
      db.removeCommitUser("job-0");
      assertThat(db.commit(List.of(), "job-new", 1).duplicate()).isFalse();
      assertThat(db.lastCommitted("job-new")).isPresent();
    }
  }

  @Test
  void removalThroughAnOpenWriterDoesNotFenceIt() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withFlushInterval(Duration.ZERO)
                    .withCache(ReaderOptions.defaults().withCacheDir(cacheDir)))) {
      db.commit(List.of(), "job-1", 1);
      w.put(b("k"), b("v"));
      db.removeCommitUser("job-1");
      assertThat(db.lastCommitted("job-1")).isEmpty();
      w.put(b("k2"), b("v2"));
      w.flush();
      assertThat(w.view().get(b("k")).map(String::new)).contains("v");
      assertThat(w.view().get(b("k2")).map(String::new)).contains("v2");
    }
  }

  @Test
  void aBadUserIsRefusedBeforeAnything() {
    try (IsleDB db = IsleDB.open(store, dbo)) {
      assertThatThrownBy(() -> db.removeCommitUser(""))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT));
      assertThat(db.currentVersion()).isZero();
    }
  }
}
