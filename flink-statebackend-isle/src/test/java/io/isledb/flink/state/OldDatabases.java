package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.WriterOptions;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.state.KeyGroupRange;

/**
 * What the retirement tests do to a database by hand ({@link RetireAfterRescaleTestBase}, {@link
 * ForkCleanupTestBase}): look at its pins and objects, check it is retired, and run what its own
 * backend would run in the background (compaction, GC).
 */
final class OldDatabases {
  private OldDatabases() {}

  /** A writer of a retired database is refused: no writer can ever commit there again. */
  static void assertRetired(ObjectStore store, DBOptions options, Object what) {
    try (IsleDB db = IsleDB.open(store, options)) {
      assertThatThrownBy(() -> db.openWriter(WriterOptions.defaults()).close())
          .as("a writer of %s", what)
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("retired");
    }
  }

  static List<PinInfo> pins(ObjectStore store, DBOptions options) {
    try (IsleDB db = IsleDB.open(store, options)) {
      return db.pinInfos();
    }
  }

  static int objects(ObjectStore store) {
    int n = 0;
    for (var it = store.list(""); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  /** What the backend's compactor does in the background: merge until nothing is borrowed. */
  static void compactFully(ObjectStore store, DBOptions options) {
    try (IsleDB db = IsleDB.open(store, options);
        Compactor c = db.openCompactor(CompactorOptions.defaults())) {
      while (c.runOnce().isPresent()) {
        // until nothing is left to merge
      }
    }
  }

  /**
   * The database's own GC (what its backend runs): two passes a grace period apart on a test clock
   * starting at {@code nowMillis}, which release its fork pins on the sources it no longer borrows
   * from.
   */
  static void collectOwn(ObjectStore store, DBOptions options, long nowMillis, Duration grace) {
    collectOwn(store, options, nowMillis, grace, () -> {});
  }

  /**
   * {@link #collectOwn(ObjectStore, DBOptions, long, Duration)} with {@code betweenPasses} run
   * before the second pass. Only this GC's clock moves by the grace period: a writer still live on
   * the database (on the real clock) must commit once in between, or it would not have seen the
   * GC's fence by the time the second pass collects that slot, a state the protocol excludes
   * (PROTOCOL.md section 2: an author rechecks its head after half the grace period of its own
   * clock, which here has not passed). Its next commit would then land in the collected slot.
   */
  static void collectOwn(
      ObjectStore store,
      DBOptions options,
      long nowMillis,
      Duration grace,
      Runnable betweenPasses) {
    MutableClock own = new MutableClock(nowMillis);
    try (IsleDB db = IsleDB.open(store, options.withClock(own));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      betweenPasses.run();
      own.advance(grace.plusSeconds(1));
      gc.runOnce();
    }
  }

  /**
   * Has the live backend {@code p} commit once ({@code value} under the first key of its key
   * groups, then a cut): what a test runs between its own GC's two passes (see {@link
   * #collectOwn(ObjectStore, DBOptions, long, Duration, Runnable)}). Returns that key.
   */
  static int commitOnce(
      IsleKeyedStateBackend<Integer> p, java.util.function.IntFunction<String> value) {
    int k = firstKeyOf(p.getKeyGroupRange());
    try {
      RescaleByForkTest.put(p, k, value.apply(k));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    p.db().cut().join();
    return k;
  }

  /** The smallest key (an int) whose key group is in {@code r}. */
  static int firstKeyOf(KeyGroupRange r) {
    int k = 0;
    while (!r.contains(RescaleByForkTest.keyGroup(k))) {
      k++;
    }
    return k;
  }
}
