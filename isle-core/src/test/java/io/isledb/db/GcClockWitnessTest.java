package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.engine.Database;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.ForwardingManifestStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/PROTOCOL.md section 10, guarantee 5: with a manifest store that has a clock of its own (a
 * database server), GC's sweep of abandoned temporaries of tables and blobs must not read that
 * clock as the object store's. The manifest here is kept by a store whose clock runs two hours
 * ahead of the file system's, beyond the one-hour grace period: a staged table written just now
 * must survive, one idle for longer than the grace period by the file system's clock must go.
 */
class GcClockWitnessTest {
  private static final Duration GRACE = Duration.ofHours(1);
  @TempDir Path root;

  @Test
  void theSweepReadsTheObjectStoresClockNotTheManifestStores() throws Exception {
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    ForwardingManifestStore manifest =
        new ForwardingManifestStore(new ObjectStoreManifestStore(new InMemoryObjectStore(ahead))) {
          @Override
          public boolean hasOwnClock() {
            return true; // as a JDBC store: the server's clock
          }
        };
    // The engine's own clock (what GC's idle-listing rule reads) starts at the file system's time
    // and is moved past a grace period below, so the third pass lists and walks again.
    MutableClock engineClock = new MutableClock(Clock.systemUTC().millis());
    DBOptions options = DBOptions.defaults().withGcGracePeriod(GRACE).withClock(engineClock);
    try (ObjectStore store = IsleDB.openStore("file://" + root, "db");
        IsleDB db = Database.open(new DbContext(store, new Manifest(manifest), options))) {
      try (Writer w = db.openWriter(WriterOptions.defaults())) {
        w.put(b("k"), b("v"));
        w.flush();
      }
      Path staged = root.resolve("db/sstable/.tmp-in-flight-upload");
      Files.createDirectories(staged.getParent());
      Files.write(staged, b("half a table"));
      try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        gc.runOnce();
        gc.runOnce();
        assertThat(staged).as("a temporary written just now (file system clock)").exists();

        Files.setLastModifiedTime(
            staged, FileTime.from(Instant.now().minus(GRACE).minus(Duration.ofMinutes(10))));
        engineClock.advance(GRACE.plus(Duration.ofMinutes(10)));
        gc.runOnce();
        assertThat(staged).as("idle for longer than the grace period").doesNotExist();
      }
      assertThat(Files.exists(root.resolve("db/manifest")))
          .as("no manifest on the store")
          .isFalse();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
