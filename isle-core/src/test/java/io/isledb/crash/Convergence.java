package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.db.LiveObjects;
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

  /**
   * Runs GC passes of {@code db} (real clock) until the object listing equals exactly {@link
   * LiveObjects#convergedListing}, or fails after about eight grace periods with what leaked and
   * what was lost. The database must be idle (no process writing) and unpinned.
   */
  static void gcUntilLiveSet(IsleDB db, Duration grace, String ctx) {
    try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      long deadline = System.nanoTime() + grace.multipliedBy(8).plusSeconds(30).toNanos();
      TreeSet<String> expected;
      TreeSet<String> actual;
      while (true) {
        gc.runOnce();
        expected = LiveObjects.convergedListing(db.store());
        actual = LiveObjects.listing(db.store());
        if (expected.equals(actual) || System.nanoTime() > deadline) {
          break;
        }
        try {
          Thread.sleep(100); // polling pause between passes while the grace period runs
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      Set<String> leaked = new TreeSet<>(actual);
      leaked.removeAll(expected);
      Set<String> lost = new TreeSet<>(expected);
      lost.removeAll(actual);
      assertThat(lost).as("%s: live objects missing", ctx).isEmpty();
      assertThat(leaked).as("%s: objects GC never reclaimed", ctx).isEmpty();
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
