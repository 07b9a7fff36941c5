package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.SstHandle;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 7: a commit of a commit user whose create landed but whose response was lost is
 * reported as a success with the version that landed (within the call, and by a later retry or
 * another process), never appended twice; two committers racing with the same user and identifier
 * make exactly one edit; {@code lastCommitted} costs one cold manifest load from the database
 * handle and nothing from a reader.
 */
class CommitUsersRetryTest {
  private final InMemoryObjectStore mem = new InMemoryObjectStore();
  private final FaultInjectingObjectStore store =
      FaultInjectingObjectStore.builder(mem).seed(10).build();
  private final DBOptions dbo =
      DBOptions.defaults().withIdSource(Ids.seededSource(10)).withSnapshotEvery(4);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<SstHandle> external(IsleDB db, String key, String value) {
    return ExternalTables.of(db, key, value);
  }

  /** Every add edit in the log carrying {@code user}, as slot numbers. */
  private List<Long> addsOf(String user, long id) {
    long head = new Manifest(mem).loadLatest().seq();
    List<Long> out = new ArrayList<>();
    for (long slot = 1; slot <= head; slot++) {
      Optional<byte[]> bytes = mem.get(ManifestPaths.log(slot));
      Edit e = ManifestCodec.decodeEdit("slot", slot, bytes.orElseThrow());
      if (e.change() instanceof Edit.AddTables a
          && user.equals(a.commitUser())
          && a.commitId() == id) {
        out.add(slot);
      }
    }
    return out;
  }

  @Test
  void aLostResponseWithinTheCallIsReportedAsTheCommitItMade() {
    try (IsleDB db = IsleDB.open(store, dbo)) {
      db.commit(external(db, "a", "1"), "sink", 1); // the committer holds the role now
      List<SstHandle> handles = external(db, "b", "2");
      store.loseNextResponses(Operation.CREATE_IF_ABSENT, 1);
      CommitResult r = db.commit(handles, "sink", 2);
      assertThat(store.injected(FaultInjectingObjectStore.Fault.LOST_RESPONSE)).isEqualTo(1);
      assertThat(r).isEqualTo(new CommitResult(db.currentVersion(), false));
      assertThat(addsOf("sink", 2)).containsExactly(r.version());
    }
  }

  @Test
  void aLostResponseThatFailedTheCallIsASuccessForTheRetry() {
    long landed;
    try (IsleDB db = IsleDB.open(store, dbo)) {
      db.commit(external(db, "a", "1"), "sink", 1);
      List<SstHandle> handles = external(db, "b", "2");
      long before = db.currentVersion();
      // Every attempt of the append lands or finds its own bytes, and every response is lost.
      store.loseNextResponses(Operation.CREATE_IF_ABSENT, 10);
      assertThatThrownBy(() -> db.commit(handles, "sink", 2))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE));
      long lost = store.injected(FaultInjectingObjectStore.Fault.LOST_RESPONSE);
      assertThat(lost).as("the first attempt and every retry").isGreaterThan(1);
      store.loseNextResponses(Operation.CREATE_IF_ABSENT, (int) -(10 - lost)); // no more losses
      landed = before + 1;
      assertThat(addsOf("sink", 2)).as("the edit landed").containsExactly(landed);
      // The committer retries the same commit: a success at the version that landed.
      assertThat(db.commit(handles, "sink", 2)).isEqualTo(new CommitResult(landed, true));
      assertThat(db.currentVersion()).isEqualTo(landed);
    }
    // And so does a committer restarted elsewhere (a failover), without claiming the role.
    try (IsleDB other = IsleDB.open(mem, dbo)) {
      long head = other.currentVersion();
      assertThat(other.commit(List.of(), "sink", 2)).isEqualTo(new CommitResult(landed, true));
      assertThat(other.currentVersion()).as("no fence, no edit").isEqualTo(head);
    }
    assertThat(addsOf("sink", 2)).hasSize(1);
    try (IsleDB db = IsleDB.open(mem, dbo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.get(b("b"))).map(String::new).contains("2");
    }
  }

  /**
   * Two committers (two processes after a failover, say) commit the same user and identifier with
   * different tables at the same moment, round after round: exactly one edit per identifier; a
   * loser either returns that edit's version as a replay or was fenced by the winner's claim.
   */
  @Test
  void twoCommittersRacingWithTheSameIdentifierMakeExactlyOneEdit() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (IsleDB one = IsleDB.open(mem, dbo);
        IsleDB two = IsleDB.open(mem, dbo)) {
      for (long id = 1; id <= 30; id++) {
        long round = id;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<CommitResult>> calls = new ArrayList<>();
        for (IsleDB db : List.of(one, two)) {
          List<SstHandle> handles = external(db, "key" + round, db == one ? "one" : "two");
          calls.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      return db.commit(handles, "sink", round);
                    } catch (FencedException e) {
                      return null; // the other committer claimed the role meanwhile
                    }
                  }));
        }
        go.countDown();
        List<Long> edits = null;
        List<CommitResult> results = new ArrayList<>();
        for (Future<CommitResult> f : calls) {
          CommitResult r = f.get(60, TimeUnit.SECONDS);
          if (r != null) {
            results.add(r);
          }
        }
        edits = addsOf("sink", round);
        assertThat(edits).as("round %d", round).hasSize(1);
        assertThat(results).as("round %d: someone succeeded", round).isNotEmpty();
        assertThat(results.stream().filter(r -> !r.duplicate())).hasSizeLessThanOrEqualTo(1);
        for (CommitResult r : results) {
          assertThat(r.version()).as("round %d", round).isEqualTo(edits.get(0));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@code IsleDB.lastCommitted}: one cold manifest load (GET of CURRENT, of the snapshot it names
   * and of each edit after it up to the first free slot), no LIST, no write. A reader answers from
   * its version with no request.
   */
  @Test
  void lastCommittedCostsOneManifestLoad() {
    try (IsleDB db = IsleDB.open(mem, dbo)) {
      for (long id = 1; id <= 6; id++) {
        db.commit(List.of(), id % 2 == 0 ? "even" : "odd", id);
      }
    }
    // fence + 6 commits = 7 edits; snapshots every 4: the newest is of version 4.
    try (IsleDB db = IsleDB.open(mem, dbo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      RequestStats before = mem.stats();
      Optional<CommitMark> mark = db.lastCommitted("even");
      RequestStats cost = mem.stats().minus(before);
      assertThat(mark).contains(new CommitMark("even", 6, 7));
      // CURRENT, snapshot 4, edits 5 to 7, and the free slot 8.
      assertThat(cost.count(RequestKind.GET)).isEqualTo(6);
      assertThat(cost.total()).isEqualTo(6);
      before = mem.stats();
      assertThat(r.lastCommitted("odd")).contains(new CommitMark("odd", 5, 6));
      assertThat(r.lastCommitted("nobody")).isEmpty();
      assertThat(mem.stats().minus(before).total()).isZero();
    }
  }
}
