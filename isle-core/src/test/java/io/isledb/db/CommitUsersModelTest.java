package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 7, model-based: 10,000 commits by several commit users, interleaved with seeded
 * replays of identifiers already committed (the newest, older ones, and skipped ones), merge
 * compactions, GC passes that collect the log, and committer restarts (a Flink failover). Every
 * replay must be a no-op returning the version of the user's mark (the exact committing version
 * when it replays the mark), and the data must equal a TreeMap model after every phase. With commit
 * tokens the same replays are forgotten after 4096 commits; marks are not.
 */
class CommitUsersModelTest {
  private static final int COMMITS = 10_000;
  private static final String[] USERS = {"sink-a", "sink-b", "sink-c", "sink-d"};

  private final long seed = Seeds.seed(1010);
  private final Random rnd = new Random(seed);
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(seed))
          .withSnapshotEvery(16)
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ZERO);

  /** Per user: identifier -> the version that committed it. */
  private final Map<String, TreeMap<Long, Long>> committed = new HashMap<>();

  private final Map<String, Long> lastId = new HashMap<>();
  private final TreeMap<String, String> model = new TreeMap<>();
  private final List<List<SstHandle>> someHandles = new ArrayList<>();
  private int replays;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String why() {
    return "seed " + seed + " (replay with -Disledb.test.seed=" + seed + ")";
  }

  @Test
  void replaysAreNoOpsAfterAnyNumberOfCommitsCompactionsAndGcPasses() {
    IsleDB maintenance = IsleDB.open(store, dbo);
    Compactor compactor = maintenance.openCompactor(CompactorOptions.defaults().withL0Trigger(4));
    GarbageCollector gc = maintenance.openGarbageCollector(GcOptions.defaults());
    IsleDB db = IsleDB.open(store, dbo);
    int commits = 0;
    while (commits < COMMITS) {
      if (rnd.nextInt(5) == 0 && !committed.isEmpty()) {
        replay(db);
        continue;
      }
      String user = USERS[rnd.nextInt(USERS.length)];
      long id = lastId.getOrDefault(user, 0L) + 1 + rnd.nextInt(3); // gaps: skipped ids
      List<SstHandle> handles = new ArrayList<>();
      if (rnd.nextInt(10) != 0) { // some commits record the identifier only
        handles.addAll(external(db, user, id));
      }
      CommitResult r = db.commit(handles, user, id);
      assertThat(r.duplicate()).as(why()).isFalse();
      committed.computeIfAbsent(user, u -> new TreeMap<>()).put(id, r.version());
      lastId.put(user, id);
      if (someHandles.size() < 200 && !handles.isEmpty()) {
        someHandles.add(handles);
      }
      commits++;
      if (commits % 40 == 0) {
        while (compactor.runOnce().isPresent()) {
          // everything due
        }
      }
      if (commits % 500 == 0) {
        gc.runOnce();
        clock.advance(Duration.ofMinutes(11));
      }
      if (commits % 2500 == 0) {
        db.close(); // the committer restarts (failover): a new instance, a new writer epoch
        db = IsleDB.open(store, dbo);
        checkData(db);
      }
    }
    // Full compaction and enough GC passes to collect every early log edit and table.
    try (Compactor full = maintenance.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      while (full.runOnce().isPresent()) {
        // all of L0 into runs
      }
    }
    for (int i = 0; i < 3; i++) {
      gc.runOnce();
      clock.advance(Duration.ofMinutes(11));
    }
    ManifestState head = new Manifest(store).loadLatest();
    assertThat(head.l0()).as(why()).isEmpty();
    assertThat(store.get(ManifestPaths.log(1))).as("log slot 1 collected").isEmpty();
    db.close();
    db = IsleDB.open(store, dbo);
    for (int i = 0; i < 500; i++) {
      replay(db);
    }
    // Replays of handles whose tables were compacted away and collected: still no-ops.
    for (String user : USERS) {
      TreeMap<Long, Long> ids = committed.get(user);
      CommitResult r = db.commit(someHandles.get(0), user, ids.firstKey());
      assertThat(r).as(why()).isEqualTo(new CommitResult(ids.lastEntry().getValue(), true));
      assertThat(db.lastCommitted(user))
          .as(why())
          .contains(new CommitMark(user, ids.lastKey(), ids.lastEntry().getValue()));
    }
    checkData(db);
    assertThat(replays).as(why()).isGreaterThan(2000);
    db.close();
    maintenance.close();
  }

  /**
   * A replay of an identifier at or below the user's mark: nothing appended, the mark's version.
   */
  private void replay(IsleDB db) {
    String user = new ArrayList<>(committed.keySet()).get(rnd.nextInt(committed.size()));
    TreeMap<Long, Long> ids = committed.get(user);
    long mark = ids.lastKey();
    long markVersion = ids.lastEntry().getValue();
    long id =
        switch (rnd.nextInt(3)) {
          case 0 -> mark;
          case 1 -> ids.floorKey(1 + (long) rnd.nextInt((int) mark)); // an older committed one
          default -> rnd.nextInt((int) mark + 1); // maybe one that was skipped
        };
    long before = db.currentVersion();
    List<SstHandle> handles =
        someHandles.isEmpty() ? List.of() : someHandles.get(rnd.nextInt(someHandles.size()));
    CommitResult r = db.commit(handles, user, id);
    assertThat(r)
        .as("replay of %s %d, %s", user, id, why())
        .isEqualTo(new CommitResult(markVersion, true));
    if (id == mark) {
      assertThat(r.version()).as(why()).isEqualTo(ids.get(id)); // exactly the committing version
    }
    assertThat(db.currentVersion()).as("a replay appends nothing, %s", why()).isEqualTo(before);
    replays++;
  }

  private List<SstHandle> external(IsleDB db, String user, long id) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      TreeMap<String, String> batch = new TreeMap<>();
      for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
        batch.put(String.format("key%04d", rnd.nextInt(800)), user + ":" + id + ":" + i);
      }
      batch.forEach((k, v) -> sw.put(b(k), b(v)));
      model.putAll(batch);
      return sw.finish();
    }
  }

  private void checkData(IsleDB db) {
    TreeMap<String, String> actual = new TreeMap<>();
    try (Reader r = db.openReader(ReaderOptions.defaults());
        KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        actual.put(
            new String(kv.key(), StandardCharsets.UTF_8),
            new String(kv.value(), StandardCharsets.UTF_8));
      }
    }
    assertThat(actual).as(why()).isEqualTo(model);
  }
}
