package io.isledb.db.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Forks and GC in every order, with processes "killed" at any request (docs/PROTOCOL.md section 9):
 * a killed process stops issuing requests at once (an {@link Error} no engine code catches), as a
 * crash would, and its successor starts afresh. Nothing referenced is ever lost, and clean passes
 * afterwards leave no stray pin and no orphan. Also the fork's request cost.
 */
class ForkGcCrashTest {
  private static final long SEED = 1_300_027L;
  private static final Duration GRACE = Duration.ofMinutes(10);

  /** A crash: thrown by the store hook, caught by no engine code. */
  static final class Killed extends Error {
    Killed() {
      super("killed", null, false, false);
    }
  }

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore base = new InMemoryObjectStore(clock);
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();
  private volatile int killAt = -1; // the request number that kills, or -1
  private volatile int requests;
  private final ObjectStore root =
      new HookedObjectStore(
          base,
          new HookedObjectStore.Hook() {
            @Override
            public void on(HookedObjectStore.Op op, HookedObjectStore.Phase phase, String name) {
              if (phase == HookedObjectStore.Phase.BEFORE && killAt >= 0 && ++requests >= killAt) {
                throw new Killed();
              }
            }

            @Override
            public void missing(HookedObjectStore.Op op, String name) {
              if (name.startsWith(ManifestPaths.SST_DIR)
                  || name.startsWith(ManifestPaths.BLOB_DIR)) {
                missing.add(op + " " + name);
              }
            }
          });

  private ObjectStore store(String name) {
    return root.sibling(name);
  }

  private DBOptions dbo(String name) {
    return DBOptions.defaults()
        .withClock(clock)
        .withIdSource(Ids.seededSource(SEED * 31 + name.hashCode()))
        .withSnapshotEvery(4)
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void arm(int at) {
    requests = 0;
    killAt = at;
  }

  private void disarm() {
    killAt = -1;
  }

  /** Writes 40 keys (some blobs) in two flushes plus a compaction and one more flush. */
  private TreeMap<String, String> write(String name, int seed) {
    TreeMap<String, String> model = new TreeMap<>();
    Random rnd = new Random(seed);
    try (IsleDB db = IsleDB.open(store(name), dbo(name));
        Writer w =
            db.openWriter(
                WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(512))) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 40; i++) {
          if (round > 0 && rnd.nextInt(3) > 0) {
            continue;
          }
          String k = String.format("k%02d", i);
          if (round > 0 && rnd.nextInt(4) == 0) {
            w.delete(b(k));
            model.remove(k);
          } else {
            String v = k + "@" + round + "x".repeat(rnd.nextInt(4) == 0 ? 700 : 3);
            w.put(b(k), b(v));
            model.put(k, v);
          }
        }
        w.flush();
        if (round == 1) {
          try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
            c.runOnce();
          }
        }
      }
    }
    return model;
  }

  private TreeMap<String, String> read(String name) {
    TreeMap<String, String> out = new TreeMap<>();
    try (IsleDB db = IsleDB.open(store(name), dbo(name));
        Reader r = db.openReader(ReaderOptions.defaults());
        KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.put(
            new String(kv.key(), StandardCharsets.UTF_8),
            new String(kv.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static TreeMap<String, String> clip(TreeMap<String, String> m, String from, String to) {
    TreeMap<String, String> out = new TreeMap<>(m.tailMap(from == null ? "" : from, true));
    if (to != null) {
      out.keySet().removeIf(k -> k.compareTo(to) >= 0);
    }
    return out;
  }

  private ManifestState head(String name) {
    return new Manifest(store(name)).loadLatest();
  }

  private List<String> forkPins(String name) {
    List<String> out = new ArrayList<>();
    store(name).list(ManifestPaths.PINS_DIR).forEachRemaining(o -> out.add(o.name()));
    out.removeIf(n -> !n.contains("/fork-"));
    return out;
  }

  /** One GC pass of {@code name}, maybe killed at request {@code at}. */
  private void gc(String name, int at) {
    IsleDB db = IsleDB.open(store(name), dbo(name));
    try {
      arm(at);
      GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults());
      gc.runOnce();
      disarm();
      gc.close();
    } catch (Killed k) {
      disarm(); // the process is gone; its successor starts afresh
    } finally {
      disarm();
      db.close();
    }
  }

  /**
   * Clean passes: one GC instance per database (its marks and first sightings live in memory),
   * three passes each, a grace period apart.
   */
  private void cleanGc(String... names) {
    List<IsleDB> dbs = new ArrayList<>();
    List<GarbageCollector> gcs = new ArrayList<>();
    try {
      for (String n : names) {
        IsleDB db = IsleDB.open(store(n), dbo(n));
        dbs.add(db);
        gcs.add(db.openGarbageCollector(GcOptions.defaults()));
      }
      for (int round = 0; round < 3; round++) {
        gcs.forEach(GarbageCollector::runOnce);
        clock.advance(GRACE.plusSeconds(1));
      }
    } finally {
      gcs.forEach(GarbageCollector::close);
      dbs.forEach(IsleDB::close);
    }
  }

  /** Every table and blob object of {@code name} is referenced by its head or a pin: no orphan. */
  private void assertNoOrphans(String name) {
    ManifestState h = head(name);
    Set<String> live = new HashSet<>();
    for (SstMeta t : h.allTables()) {
      if (!t.borrowed()) {
        live.add(t.objectName());
      }
    }
    List<String> pins = new ArrayList<>();
    store(name).list(ManifestPaths.PINS_DIR).forEachRemaining(o -> pins.add(o.name()));
    assertThat(pins).as("pins left on %s", name).isEmpty();
    List<String> tables = new ArrayList<>();
    for (java.util.Iterator<ObjectInfo> it = store(name).list(ManifestPaths.SST_DIR);
        it.hasNext(); ) {
      tables.add(it.next().name());
    }
    assertThat(new HashSet<>(tables)).as("tables of %s", name).isEqualTo(live);
  }

  @Test
  void aForkCostsAFewSmallRequestsPerSourceAndReadsNoTable() {
    List<String> names = List.of("s0", "s1", "s2", "s3");
    TreeMap<String, String> model = new TreeMap<>();
    List<ForkSource> sources = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String from = i == 0 ? null : String.format("k%02d", i * 10);
      String to = i == names.size() - 1 ? null : String.format("k%02d", i * 10 + 10);
      model.putAll(clip(write(names.get(i), i), from, to));
      sources.add(
          ForkSource.ofVersion(
              names.get(i),
              head(names.get(i)).seq(),
              from == null ? null : b(from),
              to == null ? null : b(to)));
    }
    RequestStats before = root.stats();
    IsleDB.fork(store("one"), sources.subList(0, 1), dbo("one"));
    RequestStats one = root.stats().minus(before);
    before = root.stats();
    IsleDB.fork(store("four"), sources, dbo("four"));
    RequestStats four = root.stats().minus(before);
    for (RequestStats r : List.of(one, four)) {
      assertThat(r.count(RequestKind.GET_RANGE)).as("table reads").isZero();
      assertThat(r.count(RequestKind.UPLOAD)).as("uploads").isZero();
    }
    // A source costs its pin (GET of the old one, PUT) and the manifest load of its version: a
    // handful of small requests, whatever its size; the fork itself a fixed few.
    long perSource = (four.total() - one.total()) / 3;
    assertThat(perSource)
        .as("requests per source: one %s, four %s", one, four)
        .isLessThanOrEqualTo(10);
    assertThat(one.total() - perSource).as("fixed requests").isLessThanOrEqualTo(10);
    assertThat(read("four")).isEqualTo(model);
  }

  @Test
  void creationKilledAtEveryRequestLosesNothingAndLeavesNoStrayPin() {
    TreeMap<String, String> model = write("src", 1);
    long v = head("src").seq();
    List<ForkSource> sources = List.of(ForkSource.ofVersion("src", v, b("k10"), b("k30")));
    // How many requests a whole creation takes.
    arm(Integer.MAX_VALUE);
    IsleDB.fork(store("whole"), sources, dbo("whole"));
    int total = requests;
    disarm();
    int created = 0;
    for (int at = 1; at <= total; at++) {
      String target = "t" + at;
      try {
        arm(at);
        IsleDB.fork(store(target), sources, dbo(target));
        disarm();
      } catch (Killed k) {
        disarm();
      }
      if (!head(target).commits().sources().isEmpty()) {
        created++;
        assertThat(read(target))
            .as("fork killed at request %s", at)
            .isEqualTo(clip(model, "k10", "k30"));
      }
      // A retry on the same prefix works whatever the crash left there.
      if (head(target).commits().sources().isEmpty()) {
        IsleDB.fork(store(target), sources, dbo(target + "-retry"));
        assertThat(read(target)).isEqualTo(clip(model, "k10", "k30"));
      }
    }
    assertThat(created).as("creations that completed although killed").isBetween(0, 2);
    // The source's GC removes exactly the stray pins: one per fork remains ("whole" and each
    // target).
    cleanGc("src");
    assertThat(forkPins("src")).hasSize(total + 1);
    for (int at = 1; at <= total; at++) {
      String listed = head("t" + at).commits().sources().get("src").pin();
      assertThat(forkPins("src")).anyMatch(p -> p.contains(listed));
    }
    assertThat(read("src")).isEqualTo(model);
    assertThat(missing).isEmpty();
  }

  @Test
  void concurrentGcOfSourceAndForkKilledAnywhereNeverLosesAReferencedObject() {
    long seed = SEED;
    Random rnd = new Random(seed);
    TreeMap<String, String> model = write("src", 2);
    IsleDB.fork(
        store("fork"),
        List.of(ForkSource.ofVersion("src", head("src").seq(), b("k05"), b("k35"))),
        dbo("fork"));
    TreeMap<String, String> expected = clip(model, "k05", "k35");
    // The source moves on: everything the fork borrows is now held by the fork's pin only.
    try (IsleDB db = IsleDB.open(store("src"), dbo("src"));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int i = 0; i < 40; i++) {
        w.delete(b(String.format("k%02d", i)));
      }
      w.flush();
      try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
        c.runOnce();
      }
    }
    for (int step = 0; step < 60; step++) {
      if (step == 30) {
        // Halfway: the fork rewrites what it borrows (killed at some request, then done).
        try (IsleDB db = IsleDB.open(store("fork"), dbo("fork"))) {
          try {
            arm(1 + rnd.nextInt(20));
            db.openCompactor(CompactorOptions.defaults()).runOnce();
          } catch (Killed k) {
            // crashed
          } finally {
            disarm();
          }
          try (Compactor c = db.openCompactor(CompactorOptions.defaults())) {
            c.runOnce();
          }
        }
      }
      String who = rnd.nextBoolean() ? "src" : "fork";
      gc(who, rnd.nextInt(3) == 0 ? -1 : 1 + rnd.nextInt(40));
      clock.advance(Duration.ofMillis(rnd.nextInt((int) GRACE.toMillis())));
      assertThat(read("fork")).as("seed %s step %s", seed, step).isEqualTo(expected);
      assertThat(missing).as("seed %s step %s", seed, step).isEmpty();
    }
    cleanGc("fork", "src");
    cleanGc("src");
    assertThat(head("fork").allTables()).noneMatch(SstMeta::borrowed);
    assertThat(forkPins("src")).as("the fork released its pin").isEmpty();
    assertNoOrphans("src");
    assertNoOrphans("fork");
    assertThat(read("fork")).isEqualTo(expected);
    assertThat(read("src")).isEmpty();
  }

  @Test
  void refusesOverlappingRangesARepeatedSourceAndATargetWithData() {
    write("src", 3);
    long v = head("src").seq();
    assertThatThrownBy(
            () ->
                IsleDB.fork(
                    store("x"),
                    List.of(
                        ForkSource.ofVersion("src", v, null, b("k20")),
                        ForkSource.ofVersion("src", v, b("k20"), null)),
                    dbo("x")))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("appears twice");
    write("other", 4);
    assertThatThrownBy(
            () ->
                IsleDB.fork(
                    store("x"),
                    List.of(
                        ForkSource.ofVersion("src", v, null, b("k20")),
                        ForkSource.ofVersion("other", head("other").seq(), b("k10"), null)),
                    dbo("x")))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("overlap");
    assertThatThrownBy(
            () ->
                IsleDB.fork(
                    store("other"), List.of(ForkSource.ofVersion("src", v, null, null)), dbo("y")))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("a database with data exists");
    assertThat(forkPins("src")).as("a refused fork pins nothing").isEmpty();
  }
}
