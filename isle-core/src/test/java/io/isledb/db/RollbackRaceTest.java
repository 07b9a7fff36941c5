package io.isledb.db;

import static io.isledb.db.RollbackModelTestBase.b;
import static io.isledb.db.RollbackModelTestBase.contents;
import static io.isledb.db.RollbackModelTestBase.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RolledBackException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollback racing a compactor, and tailing readers across a rollback. */
class RollbackRaceTest {
  @TempDir Path cacheDir;

  private final InMemoryObjectStore base = new InMemoryObjectStore();
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final DBOptions dbo = RollbackModelTestBase.dbOptions(clock);

  private WriterOptions wo(String name) {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve(name)));
  }

  /** Two tables pinned as "cp" ({a=1, b=1} then {b=2}), then two more tables after the pin. */
  private void history(IsleDB db) {
    try (Writer w = db.openWriter(wo("w0"))) {
      w.put(b("a"), b("1"));
      w.put(b("b"), b("1"));
      w.flush();
      w.put(b("b"), b("2"));
      w.flush();
      w.pinHead("cp", PinOptions.defaults());
      w.put(b("a"), b("3"));
      w.delete(b("b"));
      w.flush();
      w.put(b("c"), b("4"));
      w.flush();
    }
  }

  @Test
  void aCompactionRacingTheRollbackIsRefused() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicReference<Thread> compactorThread = new AtomicReference<>();
    HookedObjectStore compactorStore =
        new HookedObjectStore(
            base,
            (op, phase, name) -> {
              if (op == HookedObjectStore.Op.UPLOAD_COMPLETE
                  && phase == HookedObjectStore.Phase.AFTER
                  && name.startsWith(ManifestPaths.SST_DIR)
                  && Thread.currentThread() == compactorThread.get()) {
                stalled.countDown();
                try {
                  if (!resume.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never resumed the compactor");
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    try (IsleDB db = IsleDB.open(base, dbo);
        IsleDB cdb = IsleDB.open(compactorStore, dbo);
        Compactor c = cdb.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      history(db);
      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  outcome.set(c.runOnce());
                } catch (RuntimeException e) {
                  outcome.set(e);
                }
              },
              "racing-compactor");
      compactorThread.set(t);
      t.start();
      assertThat(stalled.await(30, TimeUnit.SECONDS))
          .as("the compactor uploaded its output")
          .isTrue();
      // The compaction read the four tables; the rollback now removes the two newest.
      Writer w = db.openWriterRestoredTo(wo("w1"), "cp");
      long restoredAt = new Manifest(base).loadLatestListed().seq();
      resume.countDown();
      t.join(30_000);
      assertThat(outcome.get())
          .as("the compaction's commit is refused: %s", outcome.get())
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CONFLICT));
      assertThat(new Manifest(base).loadLatestListed().seq())
          .as("no compaction edit after the rollback")
          .isEqualTo(restoredAt);
      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")))) {
        try (ReadView v = r.snapshot()) {
          assertThat(strings(contents(v))).isEqualTo(Map.of("a", "1", "b", "2"));
        }
      }
      // A later compaction of the restored tables commits and keeps the data.
      assertThat(c.runOnce()).isNotEmpty();
      w.put(b("d"), b("5"));
      w.flush();
      try (Reader r =
          db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r2")))) {
        try (ReadView v = r.snapshot()) {
          assertThat(strings(contents(v))).isEqualTo(Map.of("a", "1", "b", "2", "d", "5"));
        }
      }
      w.close();
    }
  }

  @Test
  void aTailingReaderFailsAtTheRollbackAfterReturningWhatCameBefore() {
    try (IsleDB db = IsleDB.open(base, dbo)) {
      history(db);
      long beforeRollback = db.currentVersion();
      db.openWriterRestoredTo(wo("w1"), "cp").close();
      long rollback = beforeRollback + 2; // the fence, then the restore edit
      try (TailingReader tr =
          IsleDB.openTailingReader(base, TailingReaderOptions.defaults(), dbo)) {
        List<String> seen = new ArrayList<>();
        TailPosition pos = tr.earliest();
        TailBatch batch = tr.poll(pos, 1000);
        for (Change ch : batch.changes()) {
          seen.add(new String(ch.key(), StandardCharsets.UTF_8) + "@" + ch.version());
          assertThat(ch.version()).isLessThan(rollback);
        }
        assertThat(seen).as("every change before the rollback").hasSize(6);
        assertThat(batch.next().version()).as("stopped at the rollback").isEqualTo(rollback);
        TailPosition at = batch.next();
        assertThatThrownBy(() -> tr.poll(at, 1000))
            .isInstanceOfSatisfying(
                RolledBackException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
                  assertThat(e.version()).isEqualTo(rollback);
                  assertThat(e.restoredVersion()).isEqualTo(db.pins().get("cp"));
                  assertThat(e.getMessage()).contains("rolled the database back");
                });
        // Every poll from there fails the same way; a consumer restarts after the rollback.
        assertThatThrownBy(() -> tr.poll(at, 1)).isInstanceOf(RolledBackException.class);
        TailBatch after = tr.poll(new TailPosition(rollback + 1, 0), 10);
        assertThat(after.changes()).isEmpty();
      }
    }
  }
}
