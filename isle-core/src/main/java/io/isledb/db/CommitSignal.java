package io.isledb.db;

import io.isledb.util.Internal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the roles of one database in this JVM that the writer committed, so a compactor evaluates
 * right after a commit instead of polling the manifest. While a writer of the database is open in
 * this JVM, nothing can be committed without it signalling (the writer role fences every other
 * writer), so a compactor skips its periodic look when no commit was signalled since the last one:
 * an idle database costs no requests. Without an in-process writer, the periodic look stays (the
 * writer runs elsewhere).
 */
@Internal
public final class CommitSignal {
  private final AtomicLong commits = new AtomicLong();
  private final AtomicInteger writers = new AtomicInteger();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Called by a writer after each commit. */
  public void committed() {
    commits.incrementAndGet();
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** Commits signalled so far. */
  public long commits() {
    return commits.get();
  }

  /**
   * Called by a writer when it opens; it runs the returned action (idempotent) when it closes or
   * fails, since a failed writer (fenced, for example) no longer sees every commit.
   */
  public Runnable writerOpened() {
    writers.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        writers.decrementAndGet();
      }
    };
  }

  /** Whether a writer of the database is open in this JVM (so every commit is signalled). */
  public boolean hasLocalWriter() {
    return writers.get() > 0;
  }

  /** Runs {@code listener} (quickly: it should only hand work to an executor) after each commit. */
  public Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
