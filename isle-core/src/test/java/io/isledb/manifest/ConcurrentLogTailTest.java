package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An open (the appender's load of the newest version) lists the snapshots and the log at once, then
 * reads the newest snapshot and the edits after it at once: a restore's time is its round trips,
 * and these were sent one after the other, the log tail one edit at a time. The listing also
 * replaces the read of the free slot after the tail.
 */
class ConcurrentLogTailTest {
  static final int EDITS = 9;

  @Test
  void openReadsTheLogTailConcurrentlyAndWithoutTheFreeSlot() throws Exception {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    Manifest plain = new Manifest(mem);
    writeLog(plain, EDITS);
    ManifestState expected = plain.loadVersion(EDITS + 1);

    // Each log read waits until 4 are in flight: read one after the other, the first would wait
    // until the timeout and the load would fail.
    CountDownLatch inFlight = new CountDownLatch(4);
    HookedObjectStore hooked =
        new HookedObjectStore(
            mem,
            (op, phase, name) -> {
              if (op == Op.GET && phase == Phase.BEFORE && name.startsWith(ManifestPaths.LOG_DIR)) {
                inFlight.countDown();
                try {
                  if (!inFlight.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("log edits are read one after the other: " + name);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new AssertionError(e);
                }
              }
            });
    long before = mem.stats().count(RequestKind.GET);
    Manifest.Listed loaded = new Manifest(hooked).loadLatestListedFromSnapshot();

    assertThat(loaded.state().seq()).isEqualTo(EDITS + 1);
    assertThat(loaded.state().l0()).isEqualTo(expected.l0());
    // One GET per edit (fence and 9 appends), none for the free slot after them.
    assertThat(mem.stats().count(RequestKind.GET) - before).isEqualTo(EDITS + 1);
  }

  /** A fence and {@code tables} edits of one table each, no snapshot: slots 1 to tables + 1. */
  private static void writeLog(Manifest m, int tables) {
    writeLog(m, tables, 1000);
  }

  /**
   * A fence and {@code tables} edits of one table each (slots 1 to tables + 1), with a snapshot
   * every {@code snapshotEvery} slots.
   */
  private static void writeLog(Manifest m, int tables, int snapshotEvery) {
    ManifestAppender a =
        new ManifestAppender(
            m,
            Role.WRITER,
            "w",
            Clock.systemUTC(),
            ManifestState.empty(),
            0,
            snapshotEvery,
            false,
            1);
    a.fence();
    for (int i = 1; i <= tables; i++) {
      int n = i;
      a.append(
          s -> {
            long seq = s.lastSeq() + 1;
            return Optional.of(
                new Edit.AddTables(List.of(Tables.table(n, "a", "z", seq, seq)), seq, -1));
          },
          null);
    }
  }

  @Test
  void aListedEditCollectedBeforeItsReadEndsTheTailThere() {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    Manifest m = new Manifest(mem);
    writeLog(m, 1);
    assertThat(LogTail.consecutiveAfter(List.of(1L, 2L, 4L), 0, 10)).containsExactly(1L, 2L);
    assertThat(LogTail.consecutiveAfter(List.of(1L, 2L, 3L), 1, 1)).containsExactly(2L);
    // A slot listed but gone by its read (GC): the tail ends before it, as a one-by-one read would.
    mem.delete(ManifestPaths.log(2));
    assertThat(LogTail.read(m.store(), List.of(1L, 2L))).hasSize(1);
  }

  @Test
  void openListsBothDirectoriesThenReadsTheSnapshotAndTheTailSideBySide() {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    writeLog(new Manifest(mem), EDITS, 4); // slots 1-10, snapshots at 4 and 8
    ManifestState expected = new Manifest(mem).loadVersion(EDITS + 1);

    // The snapshots' listing waits for the log's to be sent, and the snapshot's read for a read of
    // the tail: one after the other (snapshots listed, snapshot read, log listed, tail read), the
    // first of them would wait until the timeout.
    CountDownLatch logListed = new CountDownLatch(1);
    CountDownLatch tailRead = new CountDownLatch(1);
    HookedObjectStore hooked =
        new HookedObjectStore(
            mem,
            (op, phase, name) -> {
              if (phase != Phase.BEFORE) {
                return;
              }
              if (op == Op.LIST && name.equals(ManifestPaths.LOG_DIR)) {
                logListed.countDown();
              } else if (op == Op.LIST && name.equals(ManifestPaths.SNAPSHOT_DIR)) {
                Awaiting.latch(
                    logListed, Duration.ofSeconds(30), "the log is listed after the snapshots");
              } else if (op == Op.GET && name.startsWith(ManifestPaths.LOG_DIR)) {
                tailRead.countDown();
              } else if (op == Op.GET && name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
                Awaiting.latch(
                    tailRead, Duration.ofSeconds(30), "the log tail is read after the snapshot");
              }
            });
    Manifest.Listed loaded = new Manifest(hooked).loadLatestListedFromSnapshot();

    assertThat(loaded.snapshotSeq()).isEqualTo(8);
    assertThat(loaded.state().seq()).isEqualTo(EDITS + 1);
    assertThat(loaded.state().l0()).isEqualTo(expected.l0());
  }

  @Test
  void aSnapshotCollectedBetweenItsListingAndItsReadIsReplacedByTheNewestLeft() {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    writeLog(new Manifest(mem), EDITS, 4);
    ManifestState expected = new Manifest(mem).loadVersion(EDITS + 1);
    // Snapshot 8 disappears after the listing showed it (a GC that found a newer one, in a real
    // store): the load lists again and starts from snapshot 4 and the log after it.
    HookedObjectStore hooked =
        new HookedObjectStore(
            mem,
            (op, phase, name) -> {
              if (op == Op.GET && phase == Phase.BEFORE && name.equals(ManifestPaths.snapshot(8))) {
                mem.delete(name);
              }
            });
    Manifest.Listed loaded = new Manifest(hooked).loadLatestListedFromSnapshot();

    assertThat(loaded.snapshotSeq()).isEqualTo(4);
    assertThat(loaded.state().seq()).isEqualTo(EDITS + 1);
    assertThat(loaded.state().l0()).isEqualTo(expected.l0());
  }

  @Test
  void aLogListedWithAGapAfterTheNewestSnapshotEndsTheLoadBeforeTheGap() {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    writeLog(new Manifest(mem), EDITS, 4);
    ManifestState atSnapshot = new Manifest(mem).loadVersion(8);
    mem.delete(ManifestPaths.log(9)); // slot 10 stays: the tail after snapshot 8 starts with a gap
    Manifest.Listed loaded = new Manifest(mem).loadLatestListedFromSnapshot();

    // As when the listings came one after the other: the edits after a gap are not replayed.
    assertThat(loaded.snapshotSeq()).isEqualTo(8);
    assertThat(loaded.state().seq()).isEqualTo(8);
    assertThat(loaded.state().l0()).isEqualTo(atSnapshot.l0());
  }

  @Test
  void aDatabaseWithoutSnapshotsIsLoadedFromItsWholeLog() {
    InMemoryObjectStore mem = new InMemoryObjectStore();
    writeLog(new Manifest(mem), 3);
    Manifest.Listed loaded = new Manifest(mem).loadLatestListedFromSnapshot();
    assertThat(loaded.snapshotSeq()).isZero();
    assertThat(loaded.state().seq()).isEqualTo(4);
    assertThat(loaded.state().l0()).hasSize(3);
    assertThat(new Manifest(new InMemoryObjectStore()).loadLatestListedFromSnapshot().state().seq())
        .isZero();
  }
}
