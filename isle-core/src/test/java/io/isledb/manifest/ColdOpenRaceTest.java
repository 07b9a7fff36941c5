package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A process opening a brand-new database while its first writer appends the first edit (found by
 * the soak test: a compactor JVM starting beside a new writer failed with "has log edits but
 * neither slot 1 nor a snapshot"). The cold open reads slot 1 (free), then lists the log (now
 * holding slot 1): that is a database being created, not a corrupt one.
 */
class ColdOpenRaceTest {
  private final InMemoryObjectStore real = new InMemoryObjectStore();

  /** A store on which the first edit appears right after a reader found slot 1 free. */
  private HookedObjectStore racing() {
    AtomicBoolean done = new AtomicBoolean();
    Manifest other = new Manifest(real);
    return new HookedObjectStore(
        real,
        (op, phase, name) -> {
          if (op == HookedObjectStore.Op.GET
              && phase == HookedObjectStore.Phase.AFTER
              && name.equals(ManifestPaths.log(1))
              && !done.getAndSet(true)) {
            ManifestAppender first =
                new ManifestAppender(
                    other,
                    Role.WRITER,
                    "first-writer",
                    Clock.systemUTC(),
                    ManifestState.empty(),
                    0,
                    32,
                    false,
                    300_000);
            first.fence();
          }
        });
  }

  @Test
  void coldOpenDuringTheFirstAppendSeesTheNewDatabase() {
    ManifestState s = new Manifest(racing()).loadLatest();
    assertThat(s.seq()).isEqualTo(1);
    assertThat(s.epoch(Role.WRITER)).isEqualTo(1);
  }

  @Test
  void garbageCollectorOpeningDuringTheFirstAppendWorks() {
    try (IsleDB db = IsleDB.open(racing(), DBOptions.defaults());
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      assertThat(gc.runOnce().version()).isEqualTo(2); // the writer's fence, then GC's own
    }
  }
}
