package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Items 8 and 5b of issue 8: a lease (or pin) that GC lists but cannot read. GC must fail closed,
 * report it, and collect again once the object is readable or gone.
 */
class GcUnreadableLeaseTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore memory = new InMemoryObjectStore(clock);

  /** Names whose reads find nothing, as in ABFS's window between deleting and renaming. */
  private final Set<String> vanishing = ConcurrentHashMap.newKeySet();

  private final ObjectStore store =
      (ObjectStore)
          Proxy.newProxyInstance(
              ObjectStore.class.getClassLoader(),
              new Class<?>[] {ObjectStore.class},
              (proxy, method, args) -> {
                if (method.getName().equals("get")
                    && args.length == 1
                    && vanishing.contains((String) args[0])) {
                  return Optional.empty();
                }
                try {
                  return method.invoke(memory, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });

  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(3))
          .withGcGracePeriod(GRACE)
          .withLogRetention(Duration.ZERO);

  private static final String ORPHAN = ManifestPaths.sst("00000000000000000000000000000001");
  private static final String IN_FLIGHT = ManifestPaths.sst("00000000000000000000000000000002");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] newerFormatLease(String object) {
    // What a newer IsleDB might write: valid envelope, format 2.
    String json =
        "{\"format\":2,\"type\":\"lease\",\"author\":\"compactor-x\",\"refresh\":1,"
            + "\"ttlMillis\":0,\"uploads\":[{\"name\":\""
            + object
            + "\"}]}";
    return io.isledb.manifest.ChecksummedJson.encode(parse(json));
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode parse(String json) {
    try {
      return (com.fasterxml.jackson.databind.node.ObjectNode)
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aLeaseInANewerFormatOrCorruptStopsTheSweepUntilItIsGone() {
    String newer = Lease.objectName("compactor-newer");
    String corrupt = Lease.objectName("compactor-corrupt");
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      memory.put(ORPHAN, new byte[10]); // an upload nothing protects
      memory.put(newer, newerFormatLease(IN_FLIGHT));
      memory.put(IN_FLIGHT, new byte[10]); // named only by the lease GC cannot read
      List<GcResult> passes = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        passes.add(gc.runOnce());
        clock.advance(GRACE);
      }
      assertThat(memory.stat(IN_FLIGHT)).as("the in-flight upload survived").isPresent();
      for (GcResult r : passes) {
        assertThat(r.deletedTables() + r.deletedBlobs()).as("%s", r).isZero();
        assertThat(r.unreadable()).as("%s", r).containsExactly(newer);
        assertThat(r.failedClosed()).isTrue();
      }
      assertThat(memory.stat(newer)).as("GC leaves a lease it cannot read alone").isPresent();

      memory.put(corrupt, b("{\"format\":1,\"type\":\"lease\"")); // torn bytes
      memory.delete(newer);
      GcResult r = gc.runOnce();
      assertThat(r.unreadable()).containsExactly(corrupt);
      assertThat(memory.stat(IN_FLIGHT)).isPresent();

      memory.delete(corrupt);
      memory.delete(IN_FLIGHT); // its job gave up and cleaned up
      for (int i = 0; i < 3; i++) {
        r = gc.runOnce();
        assertThat(r.unreadable()).isEmpty();
        clock.advance(GRACE);
      }
      assertThat(memory.stat(ORPHAN)).as("collection resumes once it is gone").isEmpty();
    }
  }

  /**
   * Item 5b: a pass misses a lease written between its lease read and its listing (the upload gets
   * a mark); a grace period later the lease is being replaced and reads back missing. Skipping it
   * would delete the leased upload at once.
   */
  @Test
  void aLeaseListedButReadBackMissingProtectsItsUploads() {
    String lease = Lease.objectName("compactor-1");
    try (IsleDB db = IsleDB.open(store, dbo);
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      memory.put(IN_FLIGHT, new byte[10]);
      assertThat(gc.runOnce().newlyMarked()).isEqualTo(1); // the lease came just too late
      memory.put(lease, new Lease("compactor-1", 1, 0, List.of(IN_FLIGHT)).encode());
      clock.advance(GRACE);
      vanishing.add(lease); // ABFS: deleted, new content not renamed into place yet
      GcResult r = gc.runOnce();
      assertThat(memory.stat(IN_FLIGHT)).as("the leased upload").isPresent();
      assertThat(r.unreadable()).containsExactly(lease);
      vanishing.clear();
      r = gc.runOnce();
      assertThat(r.unreadable()).isEmpty();
      assertThat(r.pending()).as("leased again: unmarked").isZero();
      assertThat(memory.stat(IN_FLIGHT)).isPresent();
    }
  }

  /**
   * A history pin being replaced (ABFS window) reads back missing: the pass must not move its
   * window past the pinned version, or the log edits it keeps are deleted for good.
   */
  @Test
  void aPinListedButReadBackMissingKeepsTheWindowWhereItWas() {
    try (IsleDB db = IsleDB.open(store, dbo.withSnapshotEvery(2));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      long pinned = w.lastCommittedVersion();
      db.pinHistory("tail", pinned);
      for (int i = 0; i < 6; i++) {
        w.put(b("k" + i), b("v"));
        w.flush();
      }
      gc.runOnce();
      clock.advance(GRACE.multipliedBy(2)); // every edit and snapshot is past its grace period
      vanishing.add(ManifestPaths.pin("tail"));
      GcResult r = gc.runOnce();
      vanishing.clear();
      clock.advance(GRACE);
      gc.runOnce();
      for (long s = pinned + 1; s <= w.lastCommittedVersion(); s++) {
        assertThat(memory.stat(ManifestPaths.log(s)))
            .as("log edit %d after the pin", s)
            .isPresent();
      }
    }
  }
}
