package io.isledb.db.gc;

import io.isledb.CorruptionException;
import io.isledb.FencedException;
import io.isledb.ObjectInfo;
import io.isledb.db.DbContext;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GC's view of the manifest and its retained window (PROTOCOL.md section 7, "What is live"): the
 * head, the base (the newest snapshot at or below every version that must stay openable) with its
 * state, and the tables every edit after the base added. Edits are immutable, so the tables each
 * one added are kept from pass to pass and only new edits are read.
 */
final class GcWindow {
  private final DbContext ctx;
  private final long epoch;

  private ManifestState head;
  private final TreeMap<Long, List<SstMeta>> addedBySlot = new TreeMap<>();
  private long baseSeq = -1;
  private ManifestState baseState;

  GcWindow(DbContext ctx, long epoch) {
    this.ctx = ctx;
    this.epoch = epoch;
  }

  /** The newest version read. */
  ManifestState head() {
    return head;
  }

  /**
   * Phase one: reads the edits since the last pass (adding the tables they added to {@code added}),
   * checks that this GC was neither left behind nor fenced, and returns the listing of snapshots
   * taken after catching up.
   *
   * @throws FencedException if another GC instance fenced this one
   */
  List<ObjectInfo> catchUp(List<SstMeta> added) {
    catchUp(added, true);
    // Listed after the catch-up, so the listing alone decides whether the free slot after the head
    // is a collected one (Manifest.leftBehindListed): no CURRENT read, no second LIST.
    List<ObjectInfo> snapshotObjects = ctx.manifestStore().list(ManifestPaths.SNAPSHOT_DIR);
    if (ctx.manifest().leftBehindListed(head.seq(), seqsOf(snapshotObjects))) {
      // Only a GC collects the log, and never past its own head: another GC instance took over
      // (fencing this one) while this one was paused, and collected the log after our head,
      // fence included. A zombie GC that trusted the free slot would compute the live set from a
      // stale version and delete live objects.
      ManifestState latest = ctx.manifest().loadLatest();
      if (latest.epoch(Role.GC) != epoch) {
        throw new FencedException(
            "gc epoch "
                + epoch
                + " was fenced by epoch "
                + latest.epoch(Role.GC)
                + " while paused");
      }
      head = null;
      baseSeq = -1;
      baseState = null;
      addedBySlot.clear();
      catchUp(added, true);
      snapshotObjects = ctx.manifestStore().list(ManifestPaths.SNAPSHOT_DIR);
    }
    if (head.epoch(Role.GC) != epoch) {
      throw new FencedException(
          "gc epoch " + epoch + " was fenced by epoch " + head.epoch(Role.GC));
    }
    return snapshotObjects;
  }

  private static List<Long> seqsOf(List<ObjectInfo> listing) {
    List<Long> out = new ArrayList<>();
    for (ObjectInfo o : listing) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        out.add(s);
      }
    }
    return out;
  }

  private void catchUp(List<SstMeta> added, boolean mayRetry) {
    if (head == null) {
      ManifestState start = oldestRetained();
      baseSeq = start.seq();
      baseState = start;
      head = start;
    }
    head =
        ctx.manifest()
            .catchUp(
                head,
                Long.MAX_VALUE,
                e -> {
                  if (e.change() instanceof Edit.AddTables a) {
                    addedBySlot.put(e.seq(), a.tables());
                    added.addAll(a.tables());
                  } else if (e.change() instanceof Edit.Compact c) {
                    addedBySlot.put(e.seq(), c.output());
                    added.addAll(c.output());
                  } else if (e.change() instanceof Edit.Restore r) {
                    // A rollback makes its tables live again: for the window (history pins) and
                    // the sweep (which restarts their grace period) it adds them.
                    List<SstMeta> back = r.state().allTables();
                    addedBySlot.put(e.seq(), back);
                    added.addAll(back);
                  } else if (e.change() instanceof Edit.Fork f) {
                    // A fork's first version adds its borrowed tables (PROTOCOL.md section 9).
                    List<SstMeta> borrowed = f.state().allTables();
                    addedBySlot.put(e.seq(), borrowed);
                    added.addAll(borrowed);
                  }
                });
    if (head.seq() == 0 && !ctx.manifest().listLog().isEmpty()) {
      if (mayRetry) {
        // Maybe the database is being created right now: its first edit appeared after we found
        // slot 1 free. Look once more before calling it corrupt.
        head = null;
        addedBySlot.clear();
        catchUp(added, false);
        return;
      }
      throw new CorruptionException(
          "manifest of " + ctx.store().location() + " has no slot 1 and no snapshot");
    }
  }

  /**
   * First pass: the oldest retained state, so the window's additions are known. If slot 1 still
   * exists every version is openable: the empty state.
   */
  private ManifestState oldestRetained() {
    List<Long> snaps = ctx.manifest().listSnapshots();
    if (snaps.isEmpty() || ctx.manifest().readEdit(1).isPresent()) {
      return ManifestState.empty();
    }
    // The oldest snapshot the log continues from. A GC killed while deleting old edits and
    // snapshots (edits first, in ascending order) leaves older snapshots whose following edits
    // are gone; a replay from one of them would stop early, at a stale version (and then see its
    // own fence missing: a false FencedException on every restart).
    List<Long> log = ctx.manifest().listLog();
    long firstEdit = log.isEmpty() ? Long.MAX_VALUE : log.get(0);
    long first = snaps.get(snaps.size() - 1);
    for (long snap : snaps) {
      if (snap + 1 >= firstEdit) {
        first = snap;
        break;
      }
    }
    return load(first);
  }

  /**
   * Phase two: the retained window. Returns the base: the newest snapshot at or below the head,
   * every history pin and {@code oldestRecentSlot} (the oldest log slot first seen less than the
   * log retention ago), and never beyond the snapshot CURRENT names. Writes the head's snapshot
   * (and CURRENT) when no snapshot is at the head. With {@code pinsUnreadable} the base does not
   * move.
   *
   * @param snapshots the listed snapshots, ascending
   */
  long retain(
      List<ManifestCodec.Pin> pins,
      long oldestRecentSlot,
      List<Long> snapshots,
      boolean pinsUnreadable,
      long now) {
    // History pins hold the window back; version pins only keep the tables of their own state.
    long minNeeded = Math.min(head.seq(), oldestRecentSlot);
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        minNeeded = Math.min(minNeeded, p.version());
      }
    }
    // Never beyond the snapshot CURRENT names: an author or reader left behind detects that it
    // was stranded by finding CURRENT ahead of its version (ManifestAppender.ensureFresh).
    snapshots = new ArrayList<>(snapshots);
    if (snapshots.isEmpty() || snapshots.get(snapshots.size() - 1) < head.seq()) {
      // Without a snapshot at the head, an idle database would keep the tables of its last few
      // edits forever. Any author may write the snapshot of a version; GC's fold is as good as any.
      ctx.manifest().writeSnapshot(head, now);
      ctx.manifest()
          .writeCurrent(
              new ManifestCodec.Current(
                  head.seq(), head.seq(), head.maxCommittedLsn(), head.lowWatermarkLsn(), now));
      snapshots.add(head.seq());
    }
    long currentSnapshot =
        ctx.manifest().readCurrent().map(ManifestCodec.Current::snapshotSeq).orElse(0L);
    long base = 0;
    for (long s : snapshots) {
      if (s <= minNeeded && s <= currentSnapshot) {
        base = s;
      }
    }
    if (pinsUnreadable) {
      // A pin that was listed but could not be read (unpinned meanwhile, or being replaced: ABFS
      // deletes then renames) may be a history pin holding the window back. Moving the base now
      // would forget the tables of the versions it keeps, for good.
      base = Math.min(base, Math.max(baseSeq, 0));
    }
    if (base > baseSeq) {
      baseState = load(base);
      baseSeq = base;
    }
    return base;
  }

  private ManifestState load(long seq) {
    return ctx.manifest().readSnapshot(seq).orElseGet(() -> ctx.manifest().loadVersion(seq));
  }

  /** Adds the tables of the base state and of every edit after {@code base} to {@code into}. */
  void tablesInto(long base, Map<String, SstMeta> into) {
    for (SstMeta t : baseState.allTables()) {
      into.put(t.id(), t);
    }
    for (List<SstMeta> added : addedBySlot.tailMap(base, false).values()) {
      for (SstMeta t : added) {
        into.put(t.id(), t);
      }
    }
  }

  /** Forgets the tables edits at or below {@code base} added: no retained version needs them. */
  void forgetUpTo(long base) {
    addedBySlot.headMap(base, true).clear();
  }
}
