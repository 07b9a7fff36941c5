package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.db.LiveObjects;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ManifestStores;
import io.isledb.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shared end-of-test checks of the crash suites: GC converges to exactly the live set. */
final class Convergence {
  private Convergence() {}

  /** GC passes before giving up: mark, delete, and again for what the deletions freed, twice. */
  private static final int MAX_PASSES = 12;

  /**
   * Runs GC passes over {@code db}'s store until the listing of its objects and manifest entries
   * (wherever {@code db}'s options keep the manifest) equals exactly {@link
   * LiveObjects#convergedListing}, or fails after {@value #MAX_PASSES} passes with what leaked and
   * what was lost. The passes run on a {@link MutableClock} (starting at the wall clock, so it is
   * not behind anything the store or an earlier process stamped) moved on by more than {@code
   * grace} between passes, so every pass sees the previous one's marks out of their grace period
   * without the test sleeping. The database must be idle (no process writing) and unpinned.
   */
  static void gcUntilLiveSet(IsleDB db, Duration grace, String ctx) {
    MutableClock clock = new MutableClock(System.currentTimeMillis());
    DBOptions options = db.options().withGcGracePeriod(grace).withClock(clock);
    // A database object of its own for the fake clock; it does not own (close) the store.
    IsleDB gcDb = IsleDB.open(db.store(), options);
    try (ManifestStore manifest = ManifestStores.open(db.store(), options.manifestStore());
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      TreeSet<String> expected;
      TreeSet<String> actual;
      int passes = 0;
      while (true) {
        gc.runOnce();
        passes++;
        expected = LiveObjects.convergedListing(db.store(), manifest);
        actual = LiveObjects.listing(db.store(), manifest);
        if (expected.equals(actual) || passes == MAX_PASSES) {
          break;
        }
        clock.advance(grace.plusMillis(1));
      }
      Set<String> leaked = new TreeSet<>(actual);
      leaked.removeAll(expected);
      Set<String> lost = new TreeSet<>(expected);
      lost.removeAll(actual);
      String at = ctx + " after " + passes + " GC passes";
      assertThat(lost).as("%s: live objects missing", at).isEmpty();
      assertThat(leaked).as("%s: objects GC never reclaimed", at).isEmpty();
    } finally {
      gcDb.close();
    }
  }

  /** Fails if a local database directory still holds temporary files of interrupted writes. */
  static void assertNoTemporaryFiles(Path dir, String ctx) {
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> temps =
          files
              .filter(p -> p.getFileName().toString().startsWith(".tmp-"))
              .map(Path::toString)
              .collect(Collectors.toList());
      assertThat(temps).as("%s: temporary files left behind by killed processes", ctx).isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
