package io.isledb.db;

import static io.isledb.db.RollbackModelTestBase.b;
import static io.isledb.db.RollbackModelTestBase.contents;
import static io.isledb.db.RollbackModelTestBase.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bottommost compaction planned after retention dropped the oldest run, committed after a
 * rollback restored that run below its inputs (docs/PROTOCOL.md section 4, "Racing roles"). The
 * compaction dropped a tombstone because nothing was below its inputs when it was planned; its
 * commit must be refused, or the restored older run's value of the deleted key reappears.
 */
class RollbackBottommostRaceTest {
  @TempDir Path cacheDir;

  private final InMemoryObjectStore base = new InMemoryObjectStore();
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final DBOptions dbo = RollbackModelTestBase.dbOptions(clock);
  private final Random rnd = new Random(20261130L);

  private WriterOptions wo(String name) {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve(name)));
  }

  /** An incompressible value, so table sizes follow the number of entries. */
  private byte[] value() {
    byte[] v = new byte[64];
    rnd.nextBytes(v);
    return b(HexFormat.of().formatHex(v));
  }

  private ManifestState head() {
    return new Manifest(base).loadLatestListed();
  }

  @Test
  void aBottommostCompactionBelowWhichARollbackRestoredARunIsRefused() throws Exception {
    HeldCompaction held = new HeldCompaction();
    ObjectStore compactorStore = held.store(base);
    TreeMap<String, String> pinnedModel = new TreeMap<>();
    try (IsleDB db = IsleDB.open(base, dbo);
        IsleDB cdb = IsleDB.open(compactorStore, dbo);
        Compactor c =
            cdb.openCompactor(CompactorOptions.defaults().withL0Trigger(1).withSizeRatio(1));
        RetentionCompactor retention =
            db.openRetentionCompactor(RetentionCompactorOptions.byAge(Duration.ofHours(12), 0))) {
      try (Writer w = db.openWriter(wo("w0"))) {
        // The oldest run R0: x=1 and many old keys (large, so later merges leave it alone).
        w.put(b("x"), b("1"));
        for (int i = 0; i < 200; i++) {
          w.put(b(String.format("old-%03d", i)), value());
        }
        w.flush();
        assertThat(c.runOnce()).isNotEmpty();
        // A day later: the run R1 above it deletes x.
        clock.advance(Duration.ofDays(1));
        w.delete(b("x"));
        w.put(b("y"), b("1"));
        w.flush();
        CompactionResult r1 = c.runOnce().orElseThrow();
        assertThat(r1.bottommost()).as("R1 is merged alone, above R0").isFalse();
        // An L0 table at least as large as R1, then the checkpoint.
        for (int i = 0; i < 20; i++) {
          w.put(b(String.format("z-%02d", i)), b("z" + i));
        }
        w.flush();
        w.pinHead("cp", PinOptions.defaults());
      }
      ManifestState pinned = head();
      assertThat(pinned.l0()).hasSize(1);
      assertThat(pinned.runs()).as("R1 above R0").hasSize(2);
      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("p")))) {
        try (ReadView v = r.snapshot()) {
          pinnedModel.putAll(strings(contents(v)));
        }
      }
      assertThat(pinnedModel).doesNotContainKey("x").containsEntry("y", "1");

      // Retention drops R0 (its data is a day old): R1 is now the bottom of the tree.
      assertThat(retention.runOnce()).isNotEmpty();
      SortedRun r0 = pinned.runs().get(1);
      assertThat(head().runs()).hasSize(1);

      // The compactor plans L0 + R1 as bottommost (dropping x's tombstone) and stalls after its
      // upload; the rollback restores R0 below its inputs; then the compactor tries to commit.
      assertThat(held.start(c)).as("the compactor uploaded and is held").isTrue();
      Writer restored = db.openWriterRestoredTo(wo("w1"), "cp");
      long restoredAt = head().seq();
      assertThat(head().runs()).as("the rollback put R0 back").hasSize(2);
      Object outcome = held.finish();

      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")))) {
        try (ReadView v = r.snapshot()) {
          Map<String, String> now = strings(contents(v));
          assertThat(now.get("x"))
              .as("the deleted key x stays deleted (compaction outcome: %s)", outcome)
              .isNull();
          assertThat(now).isEqualTo(pinnedModel);
        }
      }
      assertThat(outcome)
          .as("the compaction's commit is refused: %s", outcome)
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(IsleException.Kind.CONFLICT);
                assertThat(e.getMessage()).contains("bottommost").contains("run " + r0.id());
              });
      assertThat(head().seq()).as("no compaction edit after the rollback").isEqualTo(restoredAt);

      // A new compaction of the restored state plans again and keeps x deleted.
      Optional<CompactionResult> again = c.runOnce();
      assertThat(again).isNotEmpty();
      try (Reader r =
          db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r2")))) {
        try (ReadView v = r.snapshot()) {
          assertThat(strings(contents(v))).isEqualTo(pinnedModel);
        }
      }
      Map<String, String> expected = new TreeMap<>(pinnedModel);
      restored.put(b("w"), b("2"));
      expected.put("w", "2");
      restored.flush();
      assertThat(strings(contents(restored.view()))).isEqualTo(expected);
      restored.close();
    }
  }
}
