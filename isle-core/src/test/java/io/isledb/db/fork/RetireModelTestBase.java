package io.isledb.db.fork;

import static io.isledb.db.fork.ForkTestData.KEYS;
import static io.isledb.db.fork.ForkTestData.b;
import static io.isledb.db.fork.ForkTestData.clip;
import static io.isledb.db.fork.ForkTestData.key;
import static io.isledb.db.fork.ForkTestData.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.ForkSource;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.testing.HookedObjectStore;
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
 * Retired sources are deleted whole (docs/PROTOCOL.md section 9, "Retired sources"): a source is
 * forked, its writer closes, it is retired; its GC keeps everything while the fork's pin exists;
 * the fork rewrites the borrowed tables and its GC releases the pin; the source's GC then deletes
 * the prefix, leaving no object at all (counted with a listing), and the fork reads its model
 * throughout. An idle database that was not retired is never deleted.
 */
public abstract class RetireModelTestBase {
  private static final long SEED = 1_300_041L;

  protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();
  private final Duration grace = Duration.ofMinutes(10);
  private final List<AutoCloseable> open = new ArrayList<>();
  private ObjectStore root;

  /** A store of a new, empty prefix; siblings of it are the other databases. */
  protected abstract ObjectStore openStore(String hint);

  private ObjectStore root() {
    if (root == null) {
      root =
          new HookedObjectStore(openStore("retire"), HookedObjectStore.recordMissingData(missing));
    }
    return root;
  }

  private String prefix(String name) {
    return root().prefix() + "-" + name;
  }

  private ObjectStore store(String name) {
    return root().sibling(prefix(name));
  }

  private IsleDB db(String name) {
    IsleDB db =
        IsleDB.open(
            store(name),
            DBOptions.defaults()
                .withClock(clock)
                .withIdSource(Ids.seededSource(SEED * 31 + name.hashCode()))
                .withSnapshotEvery(4)
                .withGcGracePeriod(grace)
                .withLogRetention(Duration.ZERO));
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

  /** Every object under the prefix of {@code name}, counted with one listing. */
  private int objects(String name) {
    int n = 0;
    for (var it = store(name).list(""); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  private void assertReads(IsleDB db, TreeMap<String, String> model, String what) {
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (int i = 0; i < KEYS; i++) {
        assertThat(r.get(b(key(i))).map(v -> new String(v, StandardCharsets.UTF_8)))
            .as("%s: %s", what, key(i))
            .isEqualTo(Optional.ofNullable(model.get(key(i))));
      }
    }
    assertThat(missing).as("%s: reads that met a missing object", what).isEmpty();
  }

  /** Two passes of one GC instance, a grace period apart. */
  private void collect(IsleDB db) {
    try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      clock.advance(grace.plusSeconds(1));
      gc.runOnce();
    }
  }

  @Test
  void retiredSourceIsDeletedWholeOnceTheForkReleasedIt() {
    IsleDB src = db("src");
    TreeMap<String, String> model = write(src, new Random(SEED)); // its writer closes here
    IsleDB.fork(
        store("f"),
        List.of(ForkSource.ofVersion(prefix("src"), src.currentVersion(), b(key(10)), null)),
        DBOptions.defaults()
            .withClock(clock)
            .withGcGracePeriod(grace)
            .withSnapshotEvery(4)
            .withLogRetention(Duration.ZERO));
    IsleDB f = db("f");
    TreeMap<String, String> expected = clip(model, key(10), null);
    long retiredAt = src.retire();
    assertThat(src.retire()).as("retire is idempotent").isEqualTo(retiredAt);
    assertThatThrownBy(() -> src.openWriter(WriterOptions.defaults()))
        .isInstanceOf(FencedException.class)
        .hasMessageContaining("retired");
    assertThatThrownBy(() -> src.pin("late", retiredAt))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("retired");

    // The fork's pin keeps the retired source whole, however long.
    collect(src);
    collect(src);
    assertThat(objects("src")).as("objects of the source while the fork pins it").isPositive();
    assertReads(f, expected, "fork while borrowing");

    // The fork rewrites what it borrowed and releases its pin.
    try (Compactor c = f.openCompactor(CompactorOptions.defaults())) {
      c.runOnce();
    }
    collect(f);
    assertThat(src.pins()).as("pins left on the source").isEmpty();
    assertReads(f, expected, "fork after releasing the source");

    // The source's GC: the first pass sees it retired and unpinned, a pass a grace period later
    // deletes every object of the prefix.
    try (GarbageCollector gc = src.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      assertThat(objects("src")).as("deleted before the wait").isPositive();
      clock.advance(grace.plusSeconds(1));
      gc.runOnce();
      assertThat(objects("src")).as("objects left of the retired source").isZero();
      gc.runOnce(); // later passes find nothing to do
    }
    assertThat(objects("src")).isZero();
    assertReads(f, expected, "fork after its source was deleted");
  }

  @Test
  void anIdleDatabaseIsNeverDeleted() {
    IsleDB idle = db("idle");
    TreeMap<String, String> model = write(idle, new Random(SEED));
    int before = objects("idle");
    for (int i = 0; i < 3; i++) {
      collect(idle);
    }
    assertThat(objects("idle")).as("objects of an idle database").isPositive();
    assertThat(objects("idle")).isLessThanOrEqualTo(before);
    assertReads(idle, model, "idle database after GC");
  }
}
