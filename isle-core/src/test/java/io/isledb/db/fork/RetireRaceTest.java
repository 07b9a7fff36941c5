package io.isledb.db.fork;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races of the deletion of a retired database (docs/PROTOCOL.md section 9, "Retired sources"), held
 * at exact points with store hooks and latches: a writer that opens while the prefix is being
 * deleted is refused until the last manifest object is gone and then starts a new database that GC
 * keeps; a fork whose pin lands after GC first saw the retired source unpinned stops the deletion.
 */
class RetireRaceTest {
  private static final long SEED = 1_300_043L;
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();
  private volatile Consumer<String> onDelete = n -> {};
  private volatile Consumer<String> onPut = n -> {};
  private final ObjectStore root =
      new HookedObjectStore(
          new InMemoryObjectStore(clock),
          new HookedObjectStore.Hook() {
            @Override
            public void on(HookedObjectStore.Op op, HookedObjectStore.Phase phase, String name) {
              if (phase == HookedObjectStore.Phase.BEFORE && op == HookedObjectStore.Op.DELETE) {
                onDelete.accept(name);
              }
              if (phase == HookedObjectStore.Phase.BEFORE && op == HookedObjectStore.Op.PUT) {
                onPut.accept(name);
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
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    root.close();
  }

  private DBOptions dbo(String name) {
    return DBOptions.defaults()
        .withClock(clock)
        .withIdSource(Ids.seededSource(SEED * 31 + name.hashCode()))
        .withSnapshotEvery(4)
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO);
  }

  private IsleDB db(String name) {
    IsleDB db = IsleDB.open(root.sibling(name), dbo(name));
    open.add(db);
    return db;
  }

  private int objects(String name) {
    int n = 0;
    for (var it = root.sibling(name).list(""); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(IsleDB db, String tag, int keys) {
    try (Writer w =
        db.openWriter(
            WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(512))) {
      for (int i = 0; i < keys; i++) {
        w.put(b(String.format("k%02d", i)), b(tag + i + "x".repeat(i % 4 == 0 ? 600 : 2)));
      }
      w.flush();
    }
  }

  /** What a writer opening right now gets: "refused", "opened" or the unexpected failure. */
  private String tryOpenWriter(String name) {
    try (IsleDB db = IsleDB.open(root.sibling(name), dbo(name));
        Writer w = db.openWriter(WriterOptions.defaults())) {
      return "opened";
    } catch (FencedException e) {
      return e.getMessage().contains("retired") ? "refused" : "fenced: " + e.getMessage();
    }
  }

  @Test
  void aWriterOpeningDuringTheDeletionIsRefusedUntilThePrefixIsEmpty() {
    IsleDB src = db("src");
    write(src, "v", 20);
    src.retire();
    List<String> seen = new ArrayList<>();
    try (GarbageCollector gc = src.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      onDelete =
          name -> {
            if (name.startsWith(ManifestPaths.SST_DIR) && seen.isEmpty()) {
              seen.add("at the first table: " + tryOpenWriter("src"));
            } else if (name.startsWith("manifest/")
                && !name.startsWith(ManifestPaths.SNAPSHOT_DIR)
                && seen.size() == 1) {
              seen.add(
                  "at the first manifest object (CURRENT, log, GC state): " + tryOpenWriter("src"));
            } else if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
              seen.add("at a snapshot: " + tryOpenWriter("src"));
            }
          };
      gc.runOnce();
      onDelete = n -> {};
      assertThat(seen)
          .containsExactly(
              "at the first table: refused",
              "at the first manifest object (CURRENT, log, GC state): refused",
              "at a snapshot: refused");
      assertThat(objects("src")).as("objects left after the deletion").isZero();

      // The prefix is free: a writer starts a new database there, and GC keeps it.
      IsleDB again = db("src");
      write(again, "new", 5);
      gc.runOnce(); // the instance that deleted the old database does nothing more
      try (GarbageCollector gc2 = again.openGarbageCollector(GcOptions.defaults())) {
        gc2.runOnce();
        clock.advance(GRACE.plusSeconds(1));
        gc2.runOnce();
      }
      try (Reader r = again.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("k03")).map(v -> new String(v, StandardCharsets.UTF_8)))
            .isEqualTo(Optional.of("new3xx"));
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void aForkPinLandingAfterGcFirstSawTheSourceUnpinnedStopsTheDeletion() throws Exception {
    IsleDB src = db("src");
    write(src, "v", 20);
    long v = src.currentVersion();
    CountDownLatch atPut = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    onPut =
        name -> {
          if (name.startsWith(ManifestPaths.PINS_DIR + "fork-")) {
            atPut.countDown();
            await(release);
          }
        };
    // The fork reads the source's head (v), then its pin's PUT is held.
    CompletableFuture<Long> fork =
        CompletableFuture.supplyAsync(
            () ->
                IsleDB.fork(
                    root.sibling("f"),
                    List.of(ForkSource.ofVersion("src", v, null, null)),
                    dbo("f")));
    assertThat(atPut.await(30, TimeUnit.SECONDS)).isTrue();
    onPut = n -> {};
    src.retire(); // slot v + 1: after the fork read v as the head
    try (GarbageCollector gc = src.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce(); // retired, no pin yet: the wait starts
      release.countDown();
      fork.get(30, TimeUnit.SECONDS); // the pin is accepted: v was the head when the fork read it
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce(); // lists the pins after its now: finds the fork's
      assertThat(objects("src")).as("the source's objects, pinned by the fork").isPositive();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      IsleDB f = db("f");
      try (Reader r = f.openReader(ReaderOptions.defaults())) {
        for (int i = 0; i < 20; i++) {
          assertThat(r.get(b(String.format("k%02d", i)))).as("k%02d in the fork", i).isPresent();
        }
      }
      assertThat(missing).as("reads of the fork that met a missing object").isEmpty();

      // The fork moves its data home and releases the pin; then the source goes.
      try (Compactor c = f.openCompactor(CompactorOptions.defaults())) {
        c.runOnce();
      }
      try (GarbageCollector fgc = f.openGarbageCollector(GcOptions.defaults())) {
        fgc.runOnce();
        clock.advance(GRACE.plusSeconds(1));
        fgc.runOnce();
      }
      assertThat(src.pins()).isEmpty();
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      assertThat(objects("src")).as("objects left of the source").isZero();
      try (Reader r = f.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("k07"))).isPresent();
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void theRetiredHeadCannotBePinnedButAnEarlierVersionCan() {
    IsleDB src = db("src");
    write(src, "v", 4);
    long v = src.currentVersion();
    long r = src.retire();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> src.pin("p", r))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("retired");
    src.pin("p", v); // superseded by the retirement just now: accepted by the store's times
    assertThat(src.pins()).containsEntry("p", v);
  }

  private static void await(CountDownLatch l) {
    try {
      if (!l.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
