package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A writer's open (a restoring Flink task waits for it) sends the reads that do not depend on each
 * other side by side: the database settings and a restore's pin while the manifest loads. The
 * snapshot and CURRENT its fence makes due are written on another thread; they are on storage once
 * the writer is closed.
 */
class WriterOpenReadsTest {
  private static final int SNAPSHOT_EVERY = 4;

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore mem = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(11))
          .withSnapshotEvery(SNAPSHOT_EVERY)
          .withGcGracePeriod(Duration.ofMinutes(10));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static WriterOptions wo() {
    return WriterOptions.defaults().withFlushInterval(Duration.ZERO);
  }

  /** Writes k = v1..v{@code versions} and pins the head as "cp"; returns the pinned version. */
  private long writeAndPin(int versions) {
    try (IsleDB db = IsleDB.open(mem, dbo);
        Writer w = db.openWriter(wo())) {
      for (int i = 1; i <= versions; i++) {
        w.put(b("k"), b("v" + i));
        w.flush();
      }
      return w.pinHead("cp", PinOptions.defaults());
    }
  }

  @Test
  void aRestoringOpenReadsTheSettingsAndThePinWhileTheManifestLoads() {
    writeAndPin(3);
    // The snapshots' listing (the manifest load's first request) waits until the settings and the
    // pin are being read: one after the other, it would wait until the timeout.
    CountDownLatch othersSent = new CountDownLatch(2);
    HookedObjectStore hooked =
        new HookedObjectStore(
            mem,
            (op, phase, name) -> {
              if (phase != Phase.BEFORE) {
                return;
              }
              if (op == Op.GET
                  && (name.equals(ManifestPaths.SETTINGS)
                      || name.equals(ManifestPaths.pin("cp")))) {
                othersSent.countDown();
              } else if (op == Op.LIST && name.equals(ManifestPaths.SNAPSHOT_DIR)) {
                Awaiting.latch(
                    othersSent,
                    Duration.ofSeconds(30),
                    "the settings or the pin are read after the manifest load");
              }
            });
    // A new IsleDB: the settings are checked once per database object.
    try (IsleDB db = IsleDB.open(hooked, dbo);
        Writer w = db.openWriterRestoredTo(wo(), "cp");
        ReadView v = w.view()) {
      assertThat(v.get(b("k")).map(x -> new String(x, StandardCharsets.UTF_8))).contains("v3");
    }
  }

  @Test
  void aRestoreToAMissingPinStillFailsWithItsName() {
    writeAndPin(1);
    try (IsleDB db = IsleDB.open(mem, dbo)) {
      assertThatThrownBy(() -> db.openWriterRestoredTo(wo(), "nope"))
          .hasMessageContaining("cannot restore to pin 'nope'")
          .hasMessageContaining("no such pin");
    }
  }

  @Test
  void theSnapshotAFenceMakesDueIsWrittenOffTheOpeningThread() {
    writeAndPin(2); // slots: fence, two commits, (pin: none): the next fence is slot 4
    List<String> snapshotWriters = new CopyOnWriteArrayList<>();
    HookedObjectStore hooked =
        new HookedObjectStore(
            mem,
            (op, phase, name) -> {
              if (op == Op.CREATE_IF_ABSENT
                  && phase == Phase.BEFORE
                  && name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
                snapshotWriters.add(Thread.currentThread().getName() + " " + name);
              }
            });
    String opener = Thread.currentThread().getName();
    long fenceSlot;
    try (IsleDB db = IsleDB.open(hooked, dbo);
        Writer w = db.openWriter(wo())) {
      fenceSlot = w.lastCommittedVersion();
      assertThat(fenceSlot).as("the fence's slot makes a snapshot due").isEqualTo(SNAPSHOT_EVERY);
    }
    // Closed: the deferred snapshot was awaited and is on storage.
    assertThat(mem.stat(ManifestPaths.snapshot(fenceSlot))).isPresent();
    assertThat(snapshotWriters).hasSize(1);
    assertThat(snapshotWriters.get(0))
        .endsWith(ManifestPaths.snapshot(fenceSlot))
        .doesNotStartWith(opener + " ");
  }

  @Test
  void anOpenThatMakesNoSnapshotDueLeavesLaterAppendsToWriteThem() {
    writeAndPin(1); // fence and one commit: the next fence is slot 3, the commit after it slot 4
    try (IsleDB db = IsleDB.open(mem, dbo);
        Writer w = db.openWriter(wo())) {
      assertThat(w.lastCommittedVersion()).isEqualTo(3);
      w.put(b("k"), b("after"));
      w.flush();
      assertThat(w.lastCommittedVersion()).isEqualTo(SNAPSHOT_EVERY);
      // Written by the commit itself, as before the open deferred anything.
      assertThat(mem.stat(ManifestPaths.snapshot(SNAPSHOT_EVERY))).isPresent();
    }
  }
}
