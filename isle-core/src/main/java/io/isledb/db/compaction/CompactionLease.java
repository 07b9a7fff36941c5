package io.isledb.db.compaction;

import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lease on this compaction's uploads fresh until it commits or gives up, and says until
 * when the compaction may still commit.
 *
 * <p>GC keeps a lease's objects while it has seen the lease change within the grace period (by its
 * clock), then marks them and deletes them a grace period later: no output can be deleted earlier
 * than two grace periods after the last lease write that GC saw was sent. So the commit must be
 * sent within one grace period of the last successful write (measured on this process's clock from
 * before that write was sent), which leaves the other grace period for a request in flight and for
 * clock rates that differ. A write counts only if it continues the chain: one sent after the
 * deadline may come too late (GC may already have found the lease dead, marked and be about to
 * delete the outputs), so it no longer extends the deadline, and the compaction is given up. Failed
 * refreshes (a partition, a stall of the whole process) therefore shorten the time left instead of
 * being merely logged.
 */
final class CompactionLease {
  private static final Logger LOG = LoggerFactory.getLogger(CompactionLease.class);

  private final DbContext ctx;
  private final String author;
  private final ScheduledExecutorService keeper;
  private final BiFunction<String, Throwable, IsleException> abandoned;
  private final List<String> objects = new ArrayList<>();
  private final long window;
  private long refresh;
  private ScheduledFuture<?> refresher;

  /** The last clock reading at which the commit may be sent; none while nothing is uploaded. */
  private volatile long deadline = Long.MAX_VALUE;

  private volatile long lastWriteSent = Long.MIN_VALUE;

  // A renewal that started before the release (the keeper's run waiting for this lock) must
  // write nothing after it: the lease object would outlive its compaction.
  private boolean released; // guarded by this

  CompactionLease(
      DbContext ctx,
      String author,
      ScheduledExecutorService keeper,
      BiFunction<String, Throwable, IsleException> abandoned) {
    this.ctx = ctx;
    this.author = author;
    this.keeper = keeper;
    this.abandoned = abandoned;
    this.window = ctx.options().gcGracePeriod().toMillis();
  }

  synchronized void add(String tableId) {
    objects.add(ManifestPaths.sst(tableId));
    if (ctx.clock().millis() > deadline) {
      // Uploading more is pointless: this compaction can no longer commit.
      throw abandoned.apply(lapsedMessage(), null);
    }
    write();
    if (refresher == null) {
      long every = Math.max(1, window / 4);
      refresher =
          keeper.scheduleWithFixedDelay(this::refreshNow, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** One renewal, as the keeper runs it (package-private: tests run it after a release). */
  synchronized void refreshNow() {
    if (released || ctx.clock().millis() > deadline) {
      return; // lapsed: a late write would not protect the outputs again
    }
    try {
      write();
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot refresh compaction lease of {} ({} ms left to commit): {}",
          author,
          deadline - ctx.clock().millis(),
          e.toString());
    }
  }

  private void write() {
    refresh++;
    long sent = ctx.clock().millis();
    ctx.manifestStore()
        .put(Lease.objectName(author), new Lease(author, refresh, 0, objects).encode());
    if (sent <= deadline) {
      lastWriteSent = sent;
      deadline = sent + window;
    }
  }

  /** Until when (this process's clock) the commit may be sent. */
  long sendBy() {
    return deadline;
  }

  String lapsedMessage() {
    return "its lease was last written "
        + (ctx.clock().millis() - lastWriteSent)
        + " ms ago, more than the GC grace period of "
        + window
        + " ms (GC may have collected its outputs)";
  }

  synchronized void release() {
    released = true;
    if (refresher != null) {
      refresher.cancel(false);
    }
    if (!objects.isEmpty()) {
      try {
        ctx.manifestStore().delete(Lease.objectName(author));
      } catch (RuntimeException e) {
        LOG.warn("cannot delete compaction lease (GC will): {}", e.toString());
      }
    }
  }
}
