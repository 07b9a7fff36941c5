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
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded model test of rollbacks interleaved with retention, compaction and GC: random writes and
 * deletions with the clock moving, pins, retention passes, compactions (some planned before a
 * rollback and committed after it, held between upload and commit by a hook), GC passes, and
 * rollbacks to random pins. The model is a TreeMap of the current version and of every pinned one.
 *
 * <p>Retention drops whole tables by data time, so its effect on single keys is not a function of
 * the model: after each pass the test checks that every key still readable has exactly the model's
 * value (a deleted or overwritten value never comes back) and that every key gone was last written
 * before the retention cutoff, then adopts what is left as the model. A rollback must give exactly
 * the pinned model; a compaction racing it either commits or fails with CONFLICT, and the state
 * afterwards still equals the model (PROTOCOL.md section 4, "Racing roles").
 */
public abstract class RollbackInterleavingModelTestBase {
  private static final Duration RETENTION = Duration.ofHours(3);

  @TempDir Path cacheDir;

  /** A fresh, empty store. */
  protected abstract ObjectStore openStore(String hint);

  /** Steps of the random schedule. */
  protected int steps() {
    return 60;
  }

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final HeldCompaction held = new HeldCompaction();
  private int readers;

  private WriterOptions wo(String name) {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve(name)));
  }

  private Map<String, String> read(IsleDB db) {
    try (Reader r =
            db.openReader(
                ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r" + readers++)));
        ReadView v = r.snapshot()) {
      return strings(contents(v));
    }
  }

  @Test
  void rollbacksInterleavedWithRetentionCompactionAndGcFollowTheModel() throws Exception {
    // Seed 2's schedule includes the bottommost race of RollbackBottommostRaceTest: it fails when
    // compactions do not record that they are bottommost (checked by reverting that).
    long seed = Seeds.seed(2L);
    Random rnd = new Random(seed);
    TreeMap<String, String> model = new TreeMap<>();
    Map<String, Long> lastWrite = new HashMap<>();
    Map<String, Map<String, String>> pinned = new TreeMap<>();
    int rollbacks = 0;
    int raced = 0;
    int refused = 0;
    int bottommost = 0;
    Map<String, Map<String, Long>> pinnedWrites = new HashMap<>();
    Map<String, String> writerModel = Map.of();
    Map<String, Long> writerWrites = Map.of();
    try (ObjectStore store = openStore("rollback-interleaving");
        IsleDB db = IsleDB.open(store, RollbackModelTestBase.dbOptions(clock));
        IsleDB cdb = IsleDB.open(held.store(store), RollbackModelTestBase.dbOptions(clock));
        Compactor compactor =
            cdb.openCompactor(CompactorOptions.defaults().withL0Trigger(2).withMaxRuns(2));
        RetentionCompactor retention =
            db.openRetentionCompactor(RetentionCompactorOptions.byAge(RETENTION, 0));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      Writer w = db.openWriter(wo("w0"));
      int op = 0;
      for (int step = 0; step < steps(); step++) {
        String ctx = "seed " + seed + " step " + step;
        // Some steps write nothing, so a pin, a retention pass and a compaction can follow each
        // other with the pinned tables as the compaction's only inputs.
        int puts = rnd.nextInt(3) == 0 ? 0 : 3 + rnd.nextInt(15);
        for (int i = 0; i < puts; i++) {
          String k = String.format("k%03d", rnd.nextInt(80));
          lastWrite.put(k, clock.millis());
          if (rnd.nextInt(4) == 0) {
            w.delete(b(k));
            model.remove(k);
          } else {
            String v = "v" + (op++);
            w.put(b(k), b(v));
            model.put(k, v);
          }
        }
        if (puts > 0) {
          w.flush();
          writerModel = new TreeMap<>(model);
          writerWrites = new HashMap<>(lastWrite);
        }
        clock.advance(Duration.ofMinutes(rnd.nextInt(50)));
        int dice = rnd.nextInt(12);
        if (dice < 3) {
          String name = String.format("cp-%03d", step);
          // The writer's head: its last commit, which a later retention pass is not part of.
          w.pinHead(name, PinOptions.defaults());
          pinned.put(name, writerModel);
          pinnedWrites.put(name, writerWrites);
        } else if (dice < 5) {
          compactor.runOnce();
        } else if (dice < 7) {
          retention.runOnce();
          adoptAfterRetention(db, model, lastWrite, ctx);
        } else if (dice < 8) {
          clock.advance(RollbackModelTestBase.GRACE.plusSeconds(1));
          gc.runOnce();
        } else if (!pinned.isEmpty()) {
          List<String> names = new ArrayList<>(pinned.keySet());
          // Often the newest pin: what a restarted job restores, and what the race needs.
          String target =
              names.get(rnd.nextBoolean() ? names.size() - 1 : rnd.nextInt(names.size()));
          boolean race = dice < 11;
          boolean retentionFirst = rnd.nextBoolean();
          if (retentionFirst) {
            retention.runOnce();
            adoptAfterRetention(db, model, lastWrite, ctx);
          }
          boolean isHeld = race && held.start(compactor);
          w.close();
          w = db.openWriterRestoredTo(wo("w" + step), target);
          rollbacks++;
          model = new TreeMap<>(pinned.get(target));
          writerModel = pinned.get(target);
          if (race) {
            // A held compaction commits now, after the rollback: it either commits or is refused.
            Object o = held.finish();
            if (o instanceof IsleException e) {
              assertThat(e.kind()).as(ctx + ": " + e).isEqualTo(IsleException.Kind.CONFLICT);
              refused++;
              bottommost += e.getMessage().contains("bottommost") ? 1 : 0;
            } else {
              assertThat(o).as(ctx).isNotInstanceOf(Throwable.class);
            }
            raced += isHeld ? 1 : 0;
          }
          lastWrite = new HashMap<>(pinnedWrites.get(target));
          writerWrites = pinnedWrites.get(target);
          assertThat(read(db)).as(ctx + ": rolled back to " + target).isEqualTo(model);
          compactor.runOnce();
        }
        assertThat(read(db)).as(ctx).isEqualTo(model);
      }
      w.close();
      assertThat(rollbacks).as("seed " + seed + ": the schedule rolled back").isPositive();
      assertThat(raced).as("seed " + seed + ": and raced compactions with rollbacks").isPositive();
      System.out.printf(
          "seed %d: %d rollbacks, %d raced by a compaction, %d compactions refused (%d bottommost)%n",
          seed, rollbacks, raced, refused, bottommost);
    }
  }

  /**
   * Checks a retention pass against the model and adopts its outcome: every readable key has the
   * model's value, every key gone was last written before the cutoff.
   */
  private void adoptAfterRetention(
      IsleDB db, Map<String, String> model, Map<String, Long> lastWrite, String ctx) {
    long cutoff = clock.millis() - RETENTION.toMillis();
    Map<String, String> now = read(db);
    for (Map.Entry<String, String> e : now.entrySet()) {
      assertThat(model.get(e.getKey()))
          .as(ctx + ": after retention key " + e.getKey() + " has the model's value")
          .isEqualTo(e.getValue());
    }
    for (String k : model.keySet()) {
      if (!now.containsKey(k)) {
        assertThat(lastWrite.get(k))
            .as(ctx + ": retention dropped key " + k + ", last written before the cutoff")
            .isLessThan(cutoff);
      }
    }
    model.keySet().retainAll(now.keySet());
  }
}
