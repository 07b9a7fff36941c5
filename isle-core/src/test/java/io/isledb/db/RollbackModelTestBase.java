package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded model test of {@link IsleDB#openWriterRestoredTo}: random writes, flushes, compactions, GC
 * passes (with the clock moving past the grace period) and pins, with a TreeMap model of every
 * committed version; then a rollback to a random pin. Afterwards every read equals the model of the
 * pinned version, GC never deletes a table the restored version needs (tables compacted away after
 * the pin become live again), after its grace GC deletes what the rollback dropped, and new writes
 * shadow restored data (sequence numbers kept increasing).
 */
public abstract class RollbackModelTestBase {
  static final Duration GRACE = Duration.ofMinutes(10);

  @TempDir Path cacheDir;

  /** A fresh, empty store. */
  protected abstract ObjectStore openStore(String hint);

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TreeMap<byte[], byte[]> contents(ReadView v) {
    return FlushAsyncModelTestBase.contents(v);
  }

  static Map<String, String> strings(Map<byte[], byte[]> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach(
        (k, v) ->
            out.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  static DBOptions dbOptions(MutableClock clock) {
    return ManifestStoreSpec.current()
        .options()
        .withClock(clock)
        .withSnapshotEvery(8)
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO);
  }

  WriterOptions writerOptions(String name) {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve(name)));
  }

  private static Set<String> tableObjects(ManifestState s) {
    Set<String> out = new HashSet<>();
    for (SstMeta t : s.allTables()) {
      out.add(t.objectName());
    }
    return out;
  }

  private static Set<String> storedTables(ObjectStore store) {
    Set<String> out = new HashSet<>();
    for (String n : LiveObjects.listing(store)) {
      if (n.startsWith(ManifestPaths.SST_DIR)) {
        out.add(n);
      }
    }
    return out;
  }

  @Test
  void rollbackToARandomPinEqualsThatVersionsModel() {
    long seed = Seeds.seed(20261130L);
    String ctx = "seed " + seed;
    Random rnd = new Random(seed);
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    TreeMap<String, String> model = new TreeMap<>();
    Map<String, Map<String, String>> pinned = new TreeMap<>();
    Map<String, Long> pinVersions = new TreeMap<>();
    try (ObjectStore store = openStore("rollback-model");
        IsleDB db = IsleDB.open(store, dbOptions(clock));
        Compactor compactor =
            db.openCompactor(CompactorOptions.defaults().withL0Trigger(2).withMaxRuns(2));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      Writer w = db.openWriter(writerOptions("w1"));
      int op = 0;
      for (int step = 0; step < 60; step++) {
        int puts = 5 + rnd.nextInt(30);
        for (int i = 0; i < puts; i++) {
          String k = String.format("k%03d", rnd.nextInt(120));
          if (rnd.nextInt(8) == 0) {
            w.delete(b(k));
            model.remove(k);
          } else {
            String v = "v" + (op++) + "-" + k;
            w.put(b(k), b(v));
            model.put(k, v);
          }
        }
        w.flush();
        int dice = rnd.nextInt(10);
        if (dice < 3) {
          String name = "cp-" + step;
          long v = w.pinHead(name, io.isledb.PinOptions.defaults());
          pinned.put(name, new TreeMap<>(model));
          pinVersions.put(name, v);
        } else if (dice < 6) {
          compactor.runOnce();
        } else if (dice < 8) {
          clock.advance(GRACE.plusSeconds(1 + rnd.nextInt(60)));
          gc.runOnce();
        }
      }
      assertThat(pinned).as(ctx).isNotEmpty();
      List<String> names = new ArrayList<>(pinned.keySet());
      String target = names.get(rnd.nextInt(names.size()));
      ManifestState before =
          new Manifest(ManifestStoreSpec.current().open(store)).loadLatestListed();
      w.close();

      Writer restored = db.openWriterRestoredTo(writerOptions("w2"), target);
      ManifestState after =
          new Manifest(ManifestStoreSpec.current().open(store)).loadLatestListed();
      assertThat(after.seq())
          .as(ctx + ": a fence and one restore edit")
          .isEqualTo(before.seq() + 2);
      assertThat(after.lastSeq())
          .as(ctx + ": sequence numbers never go back")
          .isEqualTo(before.lastSeq());
      Map<String, String> expected = pinned.get(target);
      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")))) {
        try (ReadView v = r.snapshot()) {
          assertThat(strings(contents(v))).as(ctx + ": restored to " + target).isEqualTo(expected);
        }
        try (ReadView v = r.openVersion(pinVersions.get(target))) {
          assertThat(strings(contents(v)))
              .as(ctx + ": the pinned version itself")
              .isEqualTo(expected);
        }
      }
      assertThat(strings(contents(restored.view()))).as(ctx).isEqualTo(expected);

      // GC beside: the pins keep the restored tables, and once the other pins are gone and the
      // grace has passed, only the restored head's tables (and the kept pin's) are left.
      for (String n : names) {
        if (!n.equals(target)) {
          db.unpin(n);
        }
      }
      for (int i = 0; i < 3; i++) {
        clock.advance(GRACE.plusSeconds(1));
        gc.runOnce();
      }
      ManifestState head = new Manifest(ManifestStoreSpec.current().open(store)).loadLatestListed();
      Set<String> stored = storedTables(store);
      assertThat(stored).as(ctx + ": GC kept every restored table").containsAll(tableObjects(head));
      Set<String> dropped = new HashSet<>(tableObjects(before));
      dropped.removeAll(tableObjects(head));
      assertThat(stored)
          .as(ctx + ": GC deleted what the rollback dropped")
          .doesNotContainAnyElementsOf(dropped);

      // New writes on top shadow restored data: their sequence numbers are above it.
      TreeMap<String, String> next = new TreeMap<>(expected);
      for (int i = 0; i < 40; i++) {
        String k = String.format("k%03d", rnd.nextInt(120));
        restored.put(b(k), b("after-" + i));
        next.put(k, "after-" + i);
      }
      restored.flush();
      compactor.runOnce();
      db.unpin(target);
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      try (Reader r =
          db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r2")))) {
        try (ReadView v = r.snapshot()) {
          assertThat(strings(contents(v))).as(ctx + ": writes after the rollback").isEqualTo(next);
        }
      }
      restored.close();
    }
  }

  @Test
  void restoreOfAMissingPinFailsNamingIt() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    try (ObjectStore store = openStore("rollback-missing");
        IsleDB db = IsleDB.open(store, dbOptions(clock))) {
      try (Writer w = db.openWriter(writerOptions("w"))) {
        w.put(b("a"), b("1"));
        w.flush();
      }
      assertThatThrownBy(() -> db.openWriterRestoredTo(writerOptions("w2"), "nope"))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("'nope'").contains("no such pin");
              });
    }
  }
}
