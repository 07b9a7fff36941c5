package io.isledb.db.fork;

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
import io.isledb.PinInfo;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ScanSplit;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Forks against a model (docs/PROTOCOL.md section 9): a fork of clipped sources shows exactly the
 * sources' keys inside the ranges (get, multi-get, scans, splits, the writer's view), with values,
 * blobs and tombstones right at and around the edges; compaction moves the borrowed tables into the
 * fork, after which the fork's GC releases its pins and the sources' GC collects what only the fork
 * kept. No read ever meets a missing object.
 */
public abstract class ForkModelTestBase {
  protected static final long SEED = 1_300_013L;
  private static final int KEYS = 60;

  protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
  protected final Queue<String> missing = new ConcurrentLinkedQueue<>();
  protected final Duration grace = Duration.ofMinutes(10);
  private final List<AutoCloseable> open = new ArrayList<>();
  private ObjectStore root;

  /** A store of a new, empty prefix; siblings of it are the other databases. */
  protected abstract ObjectStore openStore(String hint);

  protected ObjectStore root() {
    if (root == null) {
      root = new HookedObjectStore(openStore("fork"), HookedObjectStore.recordMissingData(missing));
    }
    return root;
  }

  protected ObjectStore store(String name) {
    return root().sibling(root().prefix() + "-" + name);
  }

  protected String prefix(String name) {
    return root().prefix() + "-" + name;
  }

  /** Options of the database {@code name}: each database draws its own ids. */
  protected DBOptions dbo(String name) {
    return ManifestStoreSpec.current()
        .options()
        .withClock(clock)
        .withIdSource(Ids.seededSource(SEED * 31 + name.hashCode()))
        .withSnapshotEvery(4)
        .withGcGracePeriod(grace)
        .withLogRetention(Duration.ZERO);
  }

  protected IsleDB db(String name) {
    IsleDB db = IsleDB.open(store(name), dbo(name));
    open.add(db);
    return db;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    if (root != null) {
      root.close();
    }
  }

  protected static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static String key(int i) {
    return String.format("k%03d", i);
  }

  private static String value(Random rnd, String k, int round) {
    // About a third of the values are over the blob threshold.
    int len = rnd.nextInt(3) == 0 ? 1500 + rnd.nextInt(200) : 5 + rnd.nextInt(20);
    StringBuilder sb = new StringBuilder(k).append('@').append(round).append(':');
    while (sb.length() < len) {
      sb.append((char) ('a' + rnd.nextInt(26)));
    }
    return sb.toString();
  }

  /**
   * Writes a source: every key, then rounds of puts and deletes (edge keys get tombstones and blobs
   * on purpose), flushed per round, compacted after round 2 so there are runs and L0 tables.
   * Returns the model of its newest version.
   */
  protected TreeMap<String, String> writeSource(IsleDB db, long seed, List<Integer> edges) {
    Random rnd = new Random(seed);
    TreeMap<String, String> model = new TreeMap<>();
    try (Writer w =
        db.openWriter(
            WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024))) {
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < KEYS; i++) {
          String k = key(i);
          boolean edge = edges.contains(i) || edges.contains(i - 1) || edges.contains(i + 1);
          int dice = rnd.nextInt(round == 0 ? 1 : (edge ? 2 : 5));
          if (round > 0 && dice > 1) {
            continue;
          }
          if (round > 0 && dice == 1 && rnd.nextBoolean()) {
            w.delete(b(k));
            model.remove(k);
          } else {
            String v =
                edge && rnd.nextBoolean()
                    ? value(rnd, k, round) + "x".repeat(1500)
                    : value(rnd, k, round);
            w.put(b(k), b(v));
            model.put(k, v);
          }
        }
        w.flush();
        if (round == 2) {
          try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
            c.runOnce();
          }
        }
      }
    }
    return model;
  }

  protected static TreeMap<String, String> clip(TreeMap<String, String> m, String from, String to) {
    TreeMap<String, String> out = new TreeMap<>();
    m.forEach(
        (k, v) -> {
          if ((from == null || k.compareTo(from) >= 0) && (to == null || k.compareTo(to) < 0)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** Asserts {@code view} shows exactly {@code model}, through every read path. */
  protected void assertMatches(ReadView view, TreeMap<String, String> model, String what) {
    List<String> probes = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      probes.add(key(i));
      probes.add(key(i) + "\0"); // just after the key: never stored
    }
    probes.add("");
    probes.add("k");
    probes.add("z");
    List<byte[]> keys = new ArrayList<>();
    for (String p : probes) {
      keys.add(b(p));
      assertThat(view.get(b(p)).map(ForkModelTestBase::s))
          .as("%s: get %s", what, p)
          .isEqualTo(Optional.ofNullable(model.get(p)));
    }
    List<Optional<byte[]>> all = view.getAll(keys);
    for (int i = 0; i < probes.size(); i++) {
      assertThat(all.get(i).map(ForkModelTestBase::s))
          .as("%s: getAll %s", what, probes.get(i))
          .isEqualTo(Optional.ofNullable(model.get(probes.get(i))));
    }
    assertThat(scan(view, (byte[]) null, null)).as("%s: scan all", what).isEqualTo(model);
    for (int[] r : new int[][] {{15, 25}, {19, 21}, {20, 40}, {35, 45}, {39, 41}, {0, 1}}) {
      String from = key(r[0]);
      String to = key(r[1]);
      assertThat(scan(view, from, to))
          .as("%s: scan [%s, %s)", what, from, to)
          .isEqualTo(clip(model, from, to));
    }
    TreeMap<String, String> bySplits = new TreeMap<>();
    for (ScanSplit sp : view.splits(4)) {
      TreeMap<String, String> part = scan(view, sp.fromInclusive(), sp.toExclusive());
      assertThat(java.util.Collections.disjoint(part.keySet(), bySplits.keySet()))
          .as("%s: splits overlap", what)
          .isTrue();
      bySplits.putAll(part);
    }
    assertThat(bySplits).as("%s: union of splits", what).isEqualTo(model);
    assertThat(missing).as("reads that met a missing object").isEmpty();
  }

  private static TreeMap<String, String> scan(ReadView view, String from, String to) {
    return scan(view, from == null ? null : b(from), to == null ? null : b(to));
  }

  private static TreeMap<String, String> scan(ReadView view, byte[] from, byte[] to) {
    TreeMap<String, String> out = new TreeMap<>();
    try (KvIterator it = view.scan(from, to)) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.put(s(kv.key()), s(kv.value()));
      }
    }
    return out;
  }

  protected static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  protected List<PinInfo> forkPins(IsleDB db) {
    return db.pinInfos().stream().filter(p -> p.name().startsWith("fork-")).toList();
  }

  protected ManifestState head(String name) {
    return new Manifest(ManifestStoreSpec.current().open(store(name))).loadLatest();
  }

  protected static long borrowed(ManifestState s) {
    return s.allTables().stream().filter(SstMeta::borrowed).count();
  }

  /** GC passes on {@code dbs}, a grace period apart: everything collectable goes. */
  protected void collect(IsleDB... dbs) {
    for (int round = 0; round < 2; round++) {
      for (IsleDB db : dbs) {
        try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
          gc.runOnce();
          clock.advance(grace.plusSeconds(1));
          gc.runOnce();
        }
      }
    }
  }

  @Test
  void splitShowsExactlyEachRangeAndSurvivesCompactionAndGc() {
    IsleDB src = db("src");
    TreeMap<String, String> model = writeSource(src, SEED, List.of(20, 40));
    long v = src.currentVersion();
    List<String> parts = List.of(prefix("p0"), prefix("p1"), prefix("p2"));
    src.splitTo(v, List.of(b(key(20)), b(key(40))), parts);
    assertThat(forkPins(src)).hasSize(3);
    String[][] ranges = {{null, key(20)}, {key(20), key(40)}, {key(40), null}};

    // The source moves on: new writes, a full compaction and GC must not disturb the forks.
    try (Writer w = src.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int i = 0; i < KEYS; i += 3) {
        w.delete(b(key(i)));
      }
      w.flush();
    }
    try (Compactor c = src.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      c.runOnce();
    }
    collect(src);

    for (int i = 0; i < 3; i++) {
      IsleDB part = db("p" + i);
      TreeMap<String, String> expected = clip(model, ranges[i][0], ranges[i][1]);
      try (Reader r = part.openReader(ReaderOptions.defaults())) {
        assertMatches(r, expected, "part " + i);
      }
      // The fork's writer: its writes (in and out of the range) shadow what it borrowed.
      try (Writer w = part.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
        w.put(b(key(5)), b("own-5"));
        w.put(b(key(20)), b("own-20"));
        w.delete(b(key(39)));
        expected.put(key(5), "own-5");
        expected.put(key(20), "own-20");
        expected.remove(key(39));
        assertMatches(w.view(), expected, "writer view of part " + i);
        w.flush();
      }
      assertThat(borrowed(head("p" + i))).as("part %s borrows before compaction", i).isPositive();
      try (Compactor c = part.openCompactor(CompactorOptions.defaults())) {
        c.runOnce();
      }
      assertThat(borrowed(head("p" + i))).as("part %s borrows after compaction", i).isZero();
      collect(part);
      try (Reader r = part.openReader(ReaderOptions.defaults())) {
        assertMatches(r, expected, "part " + i + " after compaction and GC");
      }
    }
    assertThat(forkPins(src)).as("pins released by the forks' GC").isEmpty();
    collect(src);
    for (int i = 0; i < 3; i++) {
      try (Reader r = db("p" + i).openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b(key(20))).map(ForkModelTestBase::s)).isEqualTo(Optional.of("own-20"));
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void forkOfTwoSourcesAndOfAFork() {
    IsleDB a = db("a");
    IsleDB bdb = db("b");
    TreeMap<String, String> ma = writeSource(a, SEED + 1, List.of(30));
    TreeMap<String, String> mb = writeSource(bdb, SEED + 2, List.of(30));
    IsleDB.fork(
        store("f"),
        List.of(
            ForkSource.ofVersion(prefix("a"), a.currentVersion(), null, b(key(30))),
            ForkSource.ofVersion(prefix("b"), bdb.currentVersion(), b(key(30)), null)),
        dbo("f"));
    TreeMap<String, String> mf = clip(ma, null, key(30));
    mf.putAll(clip(mb, key(30), null));
    IsleDB f = db("f");
    try (Reader r = f.openReader(ReaderOptions.defaults())) {
      assertMatches(r, mf, "fork of a and b");
    }
    // A fork of the fork, before the fork compacted: the tables keep their homes in a and b.
    IsleDB.fork(
        store("g"),
        List.of(ForkSource.ofVersion(prefix("f"), f.currentVersion(), b(key(25)), b(key(35)))),
        dbo("g"));
    IsleDB g = db("g");
    TreeMap<String, String> mg = clip(mf, key(25), key(35));
    try (Reader r = g.openReader(ReaderOptions.defaults())) {
      assertMatches(r, mg, "fork of the fork");
    }
    assertThat(head("g").commits().sources().get(prefix("f")).homes())
        .containsExactlyInAnyOrder(prefix("f"), prefix("a"), prefix("b"));
    // f compacts and collects: its pins on a and b stay while g (through its pin on f) needs them.
    try (Compactor c = f.openCompactor(CompactorOptions.defaults())) {
      c.runOnce();
    }
    collect(f, a, bdb);
    assertThat(forkPins(a)).hasSize(1);
    assertThat(forkPins(bdb)).hasSize(1);
    try (Reader r = g.openReader(ReaderOptions.defaults())) {
      assertMatches(r, mg, "fork of the fork after its source compacted");
    }
    try (Compactor c = g.openCompactor(CompactorOptions.defaults())) {
      c.runOnce();
    }
    collect(g, f, a, bdb);
    assertThat(forkPins(f)).as("g released f").isEmpty();
    assertThat(forkPins(a)).as("f released a").isEmpty();
    assertThat(forkPins(bdb)).as("f released b").isEmpty();
    try (Reader r = g.openReader(ReaderOptions.defaults())) {
      assertMatches(r, mg, "fork of the fork, all released");
    }
    try (Reader r = f.openReader(ReaderOptions.defaults())) {
      assertMatches(r, mf, "fork, all released");
    }
  }
}
