package io.isledb.crash;

import static io.isledb.db.fork.ForkTestData.b;
import static io.isledb.db.fork.ForkTestData.clip;
import static io.isledb.db.fork.ForkTestData.key;
import static io.isledb.db.fork.ForkTestData.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.manifest.Manifest;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.ForkChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole processes killed during fork creation, fork GC and source GC (docs/PROTOCOL.md section 9):
 * a child JVM ({@link ForkChild}) runs the role on file:// and is SIGKILLed at a seeded {@link
 * KillPoint} (before or after the fork's pin, its fence, its fork edit; a fork's GC releasing its
 * pin or collecting its log; the source's GC deleting tables; the deletion of the retired source).
 * After every kill the forks read exactly their clipped model (every object they reference exists);
 * a fork whose creation died is created again on the same prefix. At the end, GC in the test
 * process converges to exactly the live set on every database (no stray pin, no orphan), and the
 * retired source, whose deletion was killed half-way, is then deleted to the last object.
 */
class ForkProcessCrashITCase {
  private static final Duration WAIT = Duration.ofSeconds(60);
  // Fork creation must finish within half of it in a cold child JVM on a loaded 2-core machine.
  private static final long GRACE_MILLIS = 8000;

  @TempDir Path dir;
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();
  private final List<String> kills = new ArrayList<>();

  private static DBOptions dbo() {
    return ManifestStoreSpec.current()
        .options()
        .withSnapshotEvery(4)
        .withGcGracePeriod(Duration.ofMillis(GRACE_MILLIS))
        .withLogRetention(Duration.ZERO);
  }

  @Test
  void forkAndGcProcessesKilledLoseNothingAndConverge() {
    long seed = Seeds.seed(13_077L);
    Random rnd = new Random(seed);
    try (ObjectStore src =
            new HookedObjectStore(
                StoreSpec.local(dir, "src").open(), HookedObjectStore.recordMissingData(missing));
        IsleDB srcDb = IsleDB.open(src, dbo())) {
      TreeMap<String, String> model = write(srcDb, rnd);
      long v = srcDb.currentVersion();
      String[][] ranges = {{null, key(20)}, {key(20), null}};
      List<TreeMap<String, String>> expected = new ArrayList<>();

      // Fork creation killed at a seeded point; a fork that did not come to be is created again.
      for (int i = 0; i < 2; i++) {
        String f = "f" + i;
        expected.add(clip(model, ranges[i][0], ranges[i][1]));
        String point =
            switch (rnd.nextInt(4)) {
              case 0 -> "PUT:BEFORE:manifest/pins/:0";
              case 1 -> "PUT:AFTER:manifest/pins/:0";
              case 2 -> "CREATE_IF_ABSENT:AFTER:manifest/log/:0"; // the fork's fence
              default -> "CREATE_IF_ABSENT:AFTER:manifest/log/:1"; // its fork edit
            };
        List<String> args = new ArrayList<>(List.of("--op=fork", "--source=src", "--version=" + v));
        if (ranges[i][0] != null) {
          args.add("--from=" + ranges[i][0]);
        }
        if (ranges[i][1] != null) {
          args.add("--to=" + ranges[i][1]);
        }
        killAt(f, point, args);
        if (new Manifest(ManifestStoreSpec.current().open(src.sibling(f)))
            .loadLatest()
            .commits()
            .sources()
            .isEmpty()) {
          IsleDB.fork(
              src.sibling(f),
              List.of(ForkSource.ofVersion("src", v, bytes(ranges[i][0]), bytes(ranges[i][1]))),
              dbo());
        }
        assertReads(src.sibling(f), expected.get(i), seed + ": " + f + " after " + point);
      }

      // A fork's GC killed after its compaction moved the borrowed tables home (one fork: each
      // GC kill point but the checkpoint waits a grace period for its deletion).
      for (int i = 0; i < 2; i++) {
        try (IsleDB fdb = IsleDB.open(src.sibling("f" + i), dbo());
            Compactor c = fdb.openCompactor(CompactorOptions.defaults())) {
          c.runOnce();
        }
      }
      String point =
          switch (rnd.nextInt(3)) {
            case 0 -> "DELETE:BEFORE:manifest/pins/:0"; // the release of its pin on src
            case 1 -> "DELETE:BEFORE:manifest/log/:0";
            default -> "PUT:BEFORE:manifest/gc/checkpoint:1";
          };
      killAt("f0", point, List.of("--op=gc"));
      for (int i = 0; i < 2; i++) {
        assertReads(src.sibling("f" + i), expected.get(i), seed + ": f" + i + " after " + point);
      }

      // The source's GC killed while deleting what no version and no fork needs.
      point = rnd.nextBoolean() ? "DELETE:BEFORE:sstable/:0" : "DELETE:BEFORE:manifest/log/:0";
      killAt("src", point, List.of("--op=gc"));
      assertReads(src, model, seed + ": src after " + point);

      // Follow-up GC converges: no stray pin, no orphan, on every database.
      for (int i = 0; i < 2; i++) {
        try (IsleDB fdb = IsleDB.open(src.sibling("f" + i), dbo())) {
          Convergence.gcUntilLiveSet(fdb, Duration.ofMillis(GRACE_MILLIS), seed + ": f" + i);
        }
      }
      Convergence.gcUntilLiveSet(srcDb, Duration.ofMillis(GRACE_MILLIS), seed + ": src");
      assertThat(srcDb.pins()).as("%s: pins left on the source", seed).isEmpty();

      // The retired source: its deletion killed half-way, then finished by a new GC.
      srcDb.retire();
      point = rnd.nextBoolean() ? "DELETE:BEFORE:sstable/:1" : "DELETE:BEFORE:manifest/CURRENT:0";
      killAt("src", point, List.of("--op=gc"));
      MutableClock clock = new MutableClock(System.currentTimeMillis());
      try (IsleDB again = IsleDB.open(src, dbo().withClock(clock));
          GarbageCollector gc = again.openGarbageCollector(GcOptions.defaults())) {
        gc.runOnce();
        clock.advance(Duration.ofMillis(GRACE_MILLIS + 1));
        gc.runOnce();
      }
      int left = 0;
      for (var it = src.list(""); it.hasNext(); it.next()) {
        left++;
      }
      assertThat(left).as("%s: objects of the retired source after %s", seed, point).isZero();
      for (int i = 0; i < 2; i++) {
        assertReads(src.sibling("f" + i), expected.get(i), seed + ": f" + i + " at the end");
      }
    }
    assertThat(kills).hasSize(5);
    assertThat(missing).as("reads that met a missing object").isEmpty();
  }

  /** Runs {@link ForkChild} on database {@code name} until it pauses at {@code point}; kills it. */
  private void killAt(String name, String point, List<String> opArgs) {
    List<String> args = new ArrayList<>(opArgs);
    args.add("--store=" + StoreSpec.local(dir, name).encode());
    args.add("--graceMillis=" + GRACE_MILLIS);
    args.add("--logRetentionMillis=0");
    args.add("--kill=" + KillPoint.parse(point));
    try (ChildJvm child = ChildJvm.start("fork-" + name, ForkChild.class, args)) {
      child.await("READY", WAIT);
      ChildJvm.Marker m = child.awaitAny(WAIT, "PAUSED", "FORKED", "FAILED");
      assertThat(m.kind())
          .as("%s at %s (log %s)", name, point, child.logFile())
          .isEqualTo("PAUSED");
      child.kill();
      kills.add(name + " at " + point);
    }
  }

  private static byte[] bytes(String s) {
    return s == null ? null : b(s);
  }

  private void assertReads(ObjectStore store, TreeMap<String, String> model, String what) {
    TreeMap<String, String> seen = new TreeMap<>();
    try (IsleDB db = IsleDB.open(store, dbo());
        Reader r = db.openReader(ReaderOptions.defaults());
        KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        seen.put(
            new String(kv.key(), StandardCharsets.UTF_8),
            new String(kv.value(), StandardCharsets.UTF_8));
      }
    }
    assertThat(seen).as(what).isEqualTo(model);
    assertThat(missing).as("%s: reads that met a missing object", what).isEmpty();
  }
}
