package io.isledb.db;

import static io.isledb.db.SharedResourcesTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle database costs no requests on the writer side, compaction follows commits in-process, and
 * stores under one URI share one FileSystem.
 */
class SharedResourcesIdleTest {
  @TempDir Path dir;

  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void anIdleMinuteCostsNoRequestsAndACommitWakesTheCompactor() {
    MutableClock clock = new MutableClock(1_000_000L);
    try (IsleResources res = IsleResources.create(IsleResourcesOptions.defaults());
        ObjectStore store = new InMemoryObjectStore(clock);
        IsleDB db = IsleDB.open(store, DBOptions.defaults().withClock(clock), res);
        Writer w =
            db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ofMillis(40)));
        Compactor c =
            db.openCompactor(
                CompactorOptions.defaults().withInterval(Duration.ofMillis(10)).withL0Trigger(2))) {
      SharedResourcesImpl impl = (SharedResourcesImpl) res;
      c.start();
      w.put(bytes("a"), bytes("1"));
      w.flush();
      w.put(bytes("b"), bytes("2"));
      w.flush(); // two L0 tables: the commit alone (not a poll) must get them compacted
      Awaiting.until(
          () -> db.currentVersion() >= w.lastCommittedVersion() + 1,
          LONG,
          () -> "the compactor to compact after the commits");
      // Let the loops settle on the compacted version.
      awaitRuns(impl, "isledb-compactor", 3);

      RequestStats before = store.stats();
      clock.advance(Duration.ofMinutes(1));
      awaitRuns(impl, "isledb-flush-timer", 5);
      awaitRuns(impl, "isledb-compactor", 5);
      clock.advance(Duration.ofMinutes(1));
      awaitRuns(impl, "isledb-flush-timer", 5);
      awaitRuns(impl, "isledb-compactor", 5);
      RequestStats idle = store.stats().minus(before);
      assertThat(idle.total()).as("requests of an idle database: %s", idle).isZero();

      // The same loops do make requests once something is written: the check above can fail.
      w.put(bytes("c"), bytes("3"));
      clock.advance(Duration.ofSeconds(1)); // the flush timer fires for a non-empty memtable
      Awaiting.until(
          () -> store.stats().minus(before).total() > 0,
          LONG,
          () -> "the flush timer to flush the non-empty memtable");
    }
  }

  @Test
  void aCommitWakesTheCompactorWithoutWaitingForItsPoll() {
    try (IsleResources res = IsleResources.create(IsleResourcesOptions.defaults());
        ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, DBOptions.defaults(), res);
        Writer w = db.openWriter(WriterOptions.defaults());
        Compactor c =
            db.openCompactor(
                CompactorOptions.defaults().withInterval(Duration.ofHours(1)).withL0Trigger(2))) {
      c.start(); // looks once now, then only every hour
      w.put(bytes("a"), bytes("1"));
      w.flush();
      w.put(bytes("b"), bytes("2"));
      w.flush();
      long flushed = w.lastCommittedVersion();
      Awaiting.until(
          () -> db.currentVersion() > flushed,
          LONG,
          () -> "a compaction triggered by the writer's commits");
    }
  }

  @Test
  void aCompactorWithoutALocalWriterStillPolls() {
    MutableClock clock = new MutableClock(1_000_000L);
    try (IsleResources res = IsleResources.create(IsleResourcesOptions.defaults());
        ObjectStore store = new InMemoryObjectStore(clock);
        IsleDB db = IsleDB.open(store, DBOptions.defaults().withClock(clock), res);
        Compactor c =
            db.openCompactor(CompactorOptions.defaults().withInterval(Duration.ofMillis(10)))) {
      SharedResourcesImpl impl = (SharedResourcesImpl) res;
      c.start();
      awaitRuns(impl, "isledb-compactor", 2);
      RequestStats before = store.stats();
      awaitRuns(impl, "isledb-compactor", 3);
      assertThat(store.stats().minus(before).total()).isPositive();
    }
  }

  @Test
  void storesUnderOneUriShareOneFileSystemClosedWithTheLastStore() {
    String uri = "file://" + dir.resolve("data");
    try (IsleResources res = IsleResources.create(IsleResourcesOptions.defaults())) {
      ObjectStore a = res.openStore(uri, "a", Map.of());
      ObjectStore b = res.openStore(uri, "b", Map.of());
      ObjectStore other = res.openStore(uri, "c", Map.of("fs.permissions.umask-mode", "022"));
      assertThat(res.openFileSystems()).isEqualTo(2); // other configuration, other FileSystem
      try (IsleDB da = IsleDB.open(a, DBOptions.defaults(), res);
          IsleDB db = IsleDB.open(b, DBOptions.defaults(), res);
          Writer wa = da.openWriter(WriterOptions.defaults());
          Writer wb = db.openWriter(WriterOptions.defaults())) {
        wa.put(bytes("k"), bytes("a"));
        wb.put(bytes("k"), bytes("b"));
        wa.flush();
        wb.flush();
      }
      other.close();
      assertThat(res.openFileSystems()).isEqualTo(1);
      a.close();
      assertThat(res.openFileSystems()).isEqualTo(1);
      assertThat(b.get("manifest/settings.json")).isPresent(); // b still works on the shared FS
      b.close();
      assertThat(res.openFileSystems()).isZero();
      try (ObjectStore again = res.openStore(uri, "a", Map.of())) {
        assertThat(again.list("manifest/")).isNotNull();
        assertThat(res.openFileSystems()).isEqualTo(1);
      }
    }
  }

  /** Waits until the role tasks named {@code prefix} ran {@code more} more times than now. */
  private static void awaitRuns(SharedResourcesImpl res, String prefix, int more) {
    long target = res.runs(prefix) + more;
    Awaiting.until(() -> res.runs(prefix) >= target, LONG, () -> prefix + " to run " + more + "x");
  }
}
