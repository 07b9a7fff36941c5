package io.isledb.db;

import static io.isledb.db.RollbackModelTestBase.b;
import static io.isledb.db.RollbackModelTestBase.contents;
import static io.isledb.db.RollbackModelTestBase.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GC's window counts a {@code restore} edit's tables as added by it (PROTOCOL.md section 4, "Why it
 * is safe against GC"): a history pin from before a rollback keeps the restored version openable
 * after the restored tables are compacted away again and the version pin the rollback came from is
 * removed, although neither the base state of GC's window, nor the head, nor any version pin names
 * those tables any more.
 */
class GcRestoreWindowTest {
  @TempDir Path cacheDir;

  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);

  private WriterOptions wo(String name) {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve(name)));
  }

  @Test
  void aHistoryPinFromBeforeARollbackKeepsTheRestoredTablesAfterTheyAreCompactedAway() {
    try (IsleDB db = IsleDB.open(store, RollbackModelTestBase.dbOptions(clock));
        Compactor compactor = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      try (Writer w = db.openWriter(wo("w0"))) {
        w.put(b("a"), b("1"));
        w.flush();
        w.put(b("b"), b("1"));
        w.flush();
        w.pinHead("cp", PinOptions.defaults());
      }
      List<SstMeta> restoredTables = new Manifest(store).loadLatestListed().allTables();
      assertThat(compactor.runOnce()).as("the pinned tables are merged away").isNotEmpty();
      // GC snapshots this version: the base of its window from now on, which no longer names the
      // pinned tables (only the version pin "cp" keeps them).
      gc.runOnce();
      // A consumer's history pin, from before the rollback: every version from here on stays
      // openable, the restored one included.
      db.pinHistory("consumer", db.currentVersion());
      Writer w = db.openWriterRestoredTo(wo("w1"), "cp");
      long restoredVersion = db.currentVersion();
      w.put(b("c"), b("1"));
      w.flush();
      assertThat(compactor.runOnce()).as("the restored tables are merged away again").isNotEmpty();
      ManifestState head = new Manifest(store).loadLatestListed();
      for (SstMeta t : restoredTables) {
        assertThat(head.table(t.id()))
            .as("restored table %s is no longer in the head", t.id())
            .isNull();
      }
      // The rollback is done: its pin may go (PROTOCOL.md section 4).
      db.unpin("cp");
      for (int i = 0; i < 3; i++) {
        clock.advance(RollbackModelTestBase.GRACE.plusSeconds(1));
        gc.runOnce();
      }
      for (SstMeta t : restoredTables) {
        assertThat(store.get(t.objectName()))
            .as(
                "restored table %s, needed by version %d under the history pin",
                t.id(), restoredVersion)
            .isPresent();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")));
          ReadView v = r.openVersion(restoredVersion)) {
        assertThat(strings(contents(v))).isEqualTo(Map.of("a", "1", "b", "1"));
      }
      // Once the history pin moves past the restored version, GC collects them after the grace.
      db.unpin("consumer");
      for (int i = 0; i < 3; i++) {
        clock.advance(RollbackModelTestBase.GRACE.plusSeconds(1));
        gc.runOnce();
      }
      for (SstMeta t : restoredTables) {
        assertThat(store.get(t.objectName())).as("collected %s", t.id()).isEmpty();
      }
      w.close();
    }
  }
}
