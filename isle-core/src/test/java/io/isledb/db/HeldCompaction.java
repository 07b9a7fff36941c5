package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestPaths;
import io.isledb.testing.HookedObjectStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds a compaction between its first output upload and its commit, so a test can run a rollback
 * (or anything else) in between: open the compactor on {@link #store}, then {@link #start} one
 * compaction, act, and {@link #finish} it. Deterministic: latches, no sleeps.
 */
final class HeldCompaction {
  private static final long WAIT_SECONDS = 60;

  private final AtomicBoolean armed = new AtomicBoolean();
  private volatile CountDownLatch reached = new CountDownLatch(1);
  private volatile CountDownLatch resume = new CountDownLatch(1);
  private final AtomicReference<Object> outcome = new AtomicReference<>();
  private Thread thread;

  /** The store to open the compactor's database on: it holds the first output upload if armed. */
  ObjectStore store(ObjectStore base) {
    return new HookedObjectStore(base, this::hook);
  }

  private void hook(HookedObjectStore.Op op, HookedObjectStore.Phase phase, String name) {
    if (op == HookedObjectStore.Op.UPLOAD_COMPLETE
        && phase == HookedObjectStore.Phase.AFTER
        && name.startsWith(ManifestPaths.SST_DIR)
        && armed.compareAndSet(true, false)) {
      reached.countDown();
      try {
        if (!resume.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("the test never resumed the compactor");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs one compaction on another thread and returns once it uploaded its first output (held) or
   * ended without uploading anything (nothing to compact, or an empty output).
   *
   * @return whether the compaction is held
   */
  boolean start(Compactor compactor) throws InterruptedException {
    reached = new CountDownLatch(1);
    resume = new CountDownLatch(1);
    outcome.set(null);
    armed.set(true);
    thread =
        new Thread(
            () -> {
              try {
                outcome.set(compactor.runOnce());
              } catch (RuntimeException e) {
                outcome.set(e);
              } finally {
                armed.set(false);
                reached.countDown();
              }
            },
            "held-compactor");
    thread.start();
    assertThat(reached.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("compaction started").isTrue();
    armed.set(false);
    return thread.isAlive() && resume.getCount() > 0 && outcome.get() == null;
  }

  /** Lets the compaction commit and returns its result: an Optional, or the exception it threw. */
  Object finish() throws InterruptedException {
    resume.countDown();
    thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    assertThat(thread.isAlive()).as("the compaction finished").isFalse();
    return outcome.get();
  }
}
