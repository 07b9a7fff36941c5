package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An open (the appender's load of the newest version) lists the log after the newest snapshot and
 * reads those edits concurrently: a restore's time is its round trips, and the log tail was read
 * one edit after the other, each a round trip. The listing also replaces the read of the free slot
 * after the tail.
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
    ManifestAppender a =
        new ManifestAppender(
            m, Role.WRITER, "w", Clock.systemUTC(), ManifestState.empty(), 0, 1000, false, 1);
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
}
