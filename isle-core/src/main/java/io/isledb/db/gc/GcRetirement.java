package io.isledb.db.gc;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.db.DbContext;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SourcePin;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a retired database whole (docs/PROTOCOL.md section 9, "Retired sources"): once this
 * instance has seen the database retired, with no pin and no lease, continuously for the larger of
 * the grace period and the log retention (by its own clock), a pass whose listings (taken after its
 * {@code now}) still find no pin and no lease deletes every object of the prefix: tables and blobs
 * first, then the fork's pins on its sources, then the manifest, the snapshot of the retired head
 * last. Until that snapshot goes, every load of the manifest finds the database retired (and
 * nothing can be appended to it); after it, the prefix is empty.
 *
 * <p>Why the wait: a pin accepted because its version was the head (or by the store's times of the
 * slot after it) became visible within a grace period of a moment before the retirement slot was
 * created, and a pin accepted by the log retention within the log retention of such a moment; this
 * instance's first sighting is stamped after it read the retirement, so a pass that waited that
 * long after it lists every such pin. Versions at or after the retirement cannot be pinned ({@code
 * Pins}); a copy of an existing pin is accepted within half a grace period of reading it, and a
 * pass that saw that pin restarts the wait. Every time compared is a reading of this instance's
 * clock; nothing is persisted (a new instance waits afresh).
 */
final class GcRetirement {
  private static final Logger LOG = LoggerFactory.getLogger(GcRetirement.class);

  private final DbContext ctx;
  private long emptySince = -1; // first sighting of "retired, no pin, no lease"
  private boolean deleted;

  GcRetirement(DbContext ctx) {
    this.ctx = ctx;
  }

  /** Whether an earlier pass deleted the prefix (later passes do nothing). */
  boolean deleted() {
    return deleted;
  }

  /**
   * Deletes the prefix if {@code head} is retired and the wait is over.
   *
   * @param now the pass's clock reading, taken before it read the head and everything else
   * @return how many objects it deleted (0 when it is not time yet)
   */
  int maybeDelete(ManifestState head, long now, long wait) {
    if (!head.retired()) {
      emptySince = -1;
      return 0;
    }
    List<ObjectInfo> pins = ctx.manifestStore().list(ManifestPaths.PINS_DIR);
    List<ObjectInfo> leases = ctx.manifestStore().list(Lease.DIR);
    long seenAt = ctx.clock().millis(); // after the listings
    if (!pins.isEmpty() || !leases.isEmpty()) {
      emptySince = -1;
      return 0;
    }
    if (emptySince < 0) {
      emptySince = seenAt;
    }
    if (now - emptySince < wait) {
      return 0;
    }
    List<ObjectInfo> snapshots = ctx.manifestStore().list(ManifestPaths.SNAPSHOT_DIR);
    long newest = snapshots.isEmpty() ? -1 : ManifestPaths.seqOf(last(snapshots).name());
    if (newest != head.seq()) {
      // The pass writes the head's snapshot first; without it a load during the deletion could
      // start from slot 1 once the log is gone and take the prefix for a new database.
      LOG.warn(
          "{} is retired, but its newest snapshot {} is not the head {}; not deleting yet",
          ctx.store().location(),
          newest,
          head.seq());
      return 0;
    }
    return deleteWhole(head, ManifestPaths.snapshot(newest));
  }

  private int deleteWhole(ManifestState head, String lastSnapshot) {
    List<String> data = names(DbGarbageCollector.listAll(ctx, ManifestPaths.SST_DIR));
    data.addAll(names(DbGarbageCollector.listAll(ctx, ManifestPaths.BLOB_DIR)));
    data.addAll(names(DbGarbageCollector.listAll(ctx, ManifestPaths.PIN_HOLD_DIR)));
    ctx.store().deleteAll(data);
    if (ctx.manifestStore().hasOwnClock()) {
      ctx.store().delete(ManifestPaths.GC_CLOCK_WITNESS); // GC's clock witness, not a table
    }
    for (SourcePin sp : head.commits().sources().values()) {
      try {
        ctx.manifestStore().sibling(sp.prefix()).delete(ManifestPaths.pin(sp.pin()));
      } catch (IsleException e) {
        // Left for the source's GC: a fork prefix that lists nothing makes its pin stray.
        LOG.warn("cannot release the pin {} on {}: {}", sp.pin(), sp.prefix(), e.getMessage());
      }
    }
    List<String> manifest = names(ctx.manifestStore().list(ManifestPaths.MANIFEST_DIR));
    manifest.remove(lastSnapshot);
    ctx.manifestStore().deleteAll(manifest);
    // Last: until it is gone every load finds the database retired (an author is refused before
    // it records settings), and a GC killed before it finds it again and finishes the deletion.
    ctx.manifestStore().delete(lastSnapshot);
    deleted = true;
    int n = data.size() + manifest.size() + 1;
    LOG.info(
        "deleted the retired database {} whole: {} tables and blobs, {} manifest objects",
        ctx.store().location(),
        data.size(),
        n - data.size());
    return n;
  }

  private static List<String> names(List<ObjectInfo> listing) {
    List<String> out = new ArrayList<>();
    for (ObjectInfo o : listing) {
      out.add(o.name());
    }
    return out;
  }

  private static ObjectInfo last(List<ObjectInfo> sorted) {
    ObjectInfo best = sorted.get(0);
    for (ObjectInfo o : sorted) {
      if (ManifestPaths.seqOf(o.name()) > ManifestPaths.seqOf(best.name())) {
        best = o;
      }
    }
    return best;
  }
}
