package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailBatch;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.engine.Database;
import io.isledb.db.read.DbReader;
import io.isledb.db.tail.DbTailingReader;
import io.isledb.inspect.Inspector;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every engine role reaches manifest objects only through the {@link
 * io.isledb.manifest.ManifestStore}: the database's tables and blobs live on one store, its
 * manifest on another (as with a JDBC manifest store), and the data store records every request
 * that names something under {@code manifest/}. Writer, external SST commit, pins, restore, reader,
 * tailing reader, compactor, GC (log collection, leases, pin expiry), fork creation, a fork's GC
 * releasing its source pin, retirement and whole deletion, and inspection (overview, verify, GC dry
 * run) all run, and none of them touches the data store's {@code manifest/}.
 */
class ManifestIsolationTest {
  private static final long SEED = 1_600_001L;
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final InMemoryObjectStore dataRoot = new InMemoryObjectStore(clock);
  private final InMemoryObjectStore manifestRoot = new InMemoryObjectStore(clock);
  private final ObjectStore data =
      new HookedObjectStore(
          dataRoot,
          (op, phase, name) -> {
            if (phase == HookedObjectStore.Phase.BEFORE && name.startsWith("manifest")) {
              violations.add(op + " " + name);
            }
          });
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private DbContext context(String prefix) {
    DBOptions options =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(SEED + prefix.hashCode()))
            .withSnapshotEvery(2)
            .withGcGracePeriod(GRACE)
            .withLogRetention(Duration.ZERO);
    return new DbContext(
        data.sibling(prefix),
        new Manifest(new ObjectStoreManifestStore(manifestRoot.sibling(prefix))),
        options);
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void noRoleTouchesManifestObjectsOnTheObjectStore() {
    DbContext ctx = context("src");
    IsleDB db = track(Database.open(ctx));
    try (Writer w = db.openWriter(WriterOptions.defaults())) {
      for (int i = 0; i < 6; i++) {
        w.put(b("k" + i), b("v" + i));
        w.flush();
      }
    }
    List<io.isledb.SstHandle> handles;
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      sw.put(b("x1"), b("external"));
      handles = sw.finish();
    }
    CommitResult committed = db.commit(handles, "token-1");
    db.pin("keep", committed.version());
    assertThat(db.pinInfos()).extracting(io.isledb.PinInfo::name).containsExactly("keep");

    try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      c.runOnce();
    }
    try (Writer w = db.openWriterRestoredTo(WriterOptions.defaults(), "keep")) {
      w.put(b("k9"), b("after restore"));
      w.flush();
    }
    try (Reader r = track(new DbReader(ctx, ReaderOptions.defaults()))) {
      assertThat(r.get(b("x1"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("external")));
      assertThat(r.get(b("k9"))).isPresent();
      r.openVersion(committed.version()).close();
    }
    try (TailingReader t = track(new DbTailingReader(ctx, TailingReaderOptions.defaults()))) {
      TailBatch batch = t.poll(t.earliest(), 100);
      assertThat(batch.changes()).isNotEmpty();
    }

    int logBefore = ctx.manifestStore().list(ManifestPaths.LOG_DIR).size();
    db.unpin("keep");
    try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      GcResult r = gc.runOnce();
      assertThat(r.deletedLogEdits()).as("GC collected log edits").isPositive();
    }
    assertThat(ctx.manifestStore().list(ManifestPaths.LOG_DIR).size()).isLessThan(logBefore);

    // A fork of the source, then the fork retired and deleted whole by its GC, releasing its pin.
    DbContext forkCtx = context("fork");
    ForkCreation.create(
        forkCtx, List.of(ForkSource.ofVersion("src", db.currentVersion(), null, null)));
    assertThat(ctx.manifestStore().list(ManifestPaths.PINS_DIR)).hasSize(1);
    IsleDB fork = track(Database.open(forkCtx));
    try (Reader r = fork.openReader(ReaderOptions.defaults())) {
      assertThat(r.get(b("k9"))).isPresent();
    }
    fork.retire();
    try (GarbageCollector gc = fork.openGarbageCollector(GcOptions.defaults())) {
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
      clock.advance(GRACE.plusSeconds(1));
      gc.runOnce();
    }
    assertThat(forkCtx.manifestStore().list("manifest/")).as("fork's manifest").isEmpty();
    assertThat(ctx.manifestStore().list(ManifestPaths.PINS_DIR)).as("source pins").isEmpty();

    Inspector in = io.isledb.inspect.Inspectors.open(ctx.store(), ctx.manifestStore());
    assertThat(in.overview().head()).isEqualTo(db.currentVersion());
    assertThat(in.verify(n -> {}).problems()).isEmpty();
    in.gcDryRun(ctx.options());

    assertThat(violations).as("requests for manifest objects on the object store").isEmpty();
    assertThat(dataRoot.list("manifest/").hasNext()).isFalse();
    assertThat(manifestRoot.sibling("src").list("manifest/").hasNext()).isTrue();
  }
}
