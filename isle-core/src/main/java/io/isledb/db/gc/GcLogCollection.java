package io.isledb.db.gc;

import io.isledb.ObjectInfo;
import io.isledb.db.DbContext;
import io.isledb.manifest.ManifestPaths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * GC's collection of the manifest's own objects and of abandoned temporaries (PROTOCOL.md section
 * 7, "Marks and deletion"): when it first saw each log slot and snapshot (readings of GC's clock
 * taken after the listing that found them), which of them are old enough to delete, and the
 * store-clock witnesses that date temporary files of staged writes.
 */
final class GcLogCollection {
  private final DbContext ctx;

  /** Log slot / snapshot to the clock reading (after the listing) that first found it. */
  private final TreeMap<Long, Long> logFirstSeen = new TreeMap<>();

  private final TreeMap<Long, Long> snapshotFirstSeen = new TreeMap<>();

  /**
   * Store-clock witnesses: {our clock after a write of ours, the store's modification time of that
   * write}. A temporary last modified before a witness's store time was idle before our reading.
   */
  private final ArrayDeque<long[]> storeWitnesses = new ArrayDeque<>();

  /** The newest store time of a witness at least a grace period old (on our clock). */
  private long temporaryCutoff = Long.MIN_VALUE;

  /** Log edits and snapshots chosen for deletion. */
  record Collected(int logEdits, int snapshots) {}

  GcLogCollection(DbContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Records the first sighting of every listed log slot and snapshot at {@code seenAt}, a reading
   * taken after both listings: an object in them existed before it, so an age measured from it
   * never exceeds the object's true age. Forgets slots no longer listed.
   */
  void sawListings(List<ObjectInfo> log, List<ObjectInfo> snapshots, long seenAt) {
    firstSeen(logFirstSeen, log, seenAt);
    firstSeen(snapshotFirstSeen, snapshots, seenAt);
  }

  private static void firstSeen(TreeMap<Long, Long> into, List<ObjectInfo> listing, long at) {
    Set<Long> present = new HashSet<>();
    for (ObjectInfo o : listing) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        present.add(s);
        into.putIfAbsent(s, at);
      }
    }
    into.keySet().retainAll(present);
  }

  /**
   * The oldest log slot first seen less than {@code retention} before {@code now}, or MAX_VALUE.
   */
  long oldestRecentSlot(long now, long retention) {
    for (Map.Entry<Long, Long> e : logFirstSeen.entrySet()) {
      if (e.getKey() > 0 && now - e.getValue() < retention) {
        return e.getKey();
      }
    }
    return Long.MAX_VALUE;
  }

  /** The listed snapshots, ascending. */
  List<Long> snapshots() {
    return new ArrayList<>(snapshotFirstSeen.keySet());
  }

  /**
   * Adds to {@code into} the log edits at or below {@code base} first seen the larger of the grace
   * period and {@code retention} before {@code now}, and the snapshots below {@code base} first
   * seen a grace period before it.
   *
   * <p>Log edits wait for the retention too: the oldest edit younger than that is what holds
   * minNeeded (and the base) back. Deleting it (it can be the base itself) would forget its first
   * sighting, and the next pass would move the base past versions still within the log retention
   * and collect their tables.
   */
  Collected collectible(long base, long now, long grace, long retention, List<String> into) {
    int log = 0;
    int snaps = 0;
    long keepLogFor = Math.max(grace, retention);
    for (Map.Entry<Long, Long> e : logFirstSeen.headMap(base, true).entrySet()) {
      if (e.getKey() > 0 && now - e.getValue() >= keepLogFor) {
        into.add(ManifestPaths.log(e.getKey()));
        log++;
      }
    }
    for (Map.Entry<Long, Long> e : snapshotFirstSeen.headMap(base, false).entrySet()) {
      if (now - e.getValue() >= grace) {
        into.add(ManifestPaths.snapshot(e.getKey()));
        snaps++;
      }
    }
    return new Collected(log, snaps);
  }

  /** Deletes {@code names} (manifest objects, in one bulk delete) and forgets their sightings. */
  void delete(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    ctx.manifestStore().deleteAll(names);
    for (String name : names) {
      long s = ManifestPaths.seqOf(name);
      if (name.startsWith(ManifestPaths.LOG_DIR)) {
        logFirstSeen.remove(s);
      } else if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
        snapshotFirstSeen.remove(s);
      }
    }
  }

  /**
   * Deletes temporary files of staged writes (file://, rename-based schemes) idle for the grace
   * period; returns how many. Call right after writing {@link ManifestPaths#GC_CHECKPOINT}.
   *
   * <p>The store compares their modification times, stamped by the store's clock, with the cutoff
   * we pass; so the cutoff must be a reading of that same clock, never of ours. Each pass records a
   * witness: the store's modification time of the checkpoint just written, with our clock reading
   * taken after that write returned. A temporary last modified before a witness's store time was
   * idle since before our reading; once our clock is a grace period past that reading, it has been
   * idle for the grace period. Only the order of the store's own timestamps and an interval of our
   * own clock are used. A temporary whose modification time is a grace period before the witness's
   * store time (an interval of the store's own clock) goes at once.
   */
  int sweepTemporaries(long now, long grace) {
    // The checkpoint is a manifest entry: its stamp is the object store's clock only while the
    // manifest is kept on the object store. A manifest store with a clock of its own (a database
    // server) gives this sweep a witness written to the object store instead (docs/PROTOCOL.md
    // section 10, guarantee 5): one PUT and one STAT per pass.
    Optional<ObjectInfo> witness;
    if (ctx.manifestStore().hasOwnClock()) {
      ctx.store().put(ManifestPaths.GC_CLOCK_WITNESS, new byte[] {'1'});
      witness = ctx.store().stat(ManifestPaths.GC_CLOCK_WITNESS);
    } else {
      witness = ctx.manifestStore().stat(ManifestPaths.GC_CHECKPOINT);
    }
    long writtenBy = ctx.clock().millis();
    long cutoff = Long.MIN_VALUE;
    if (witness.isPresent()) {
      long storeNow = witness.get().lastModifiedMillis();
      storeWitnesses.addLast(new long[] {writtenBy, storeNow});
      // Idle for the grace period by the store's own clock (a difference of two of its stamps).
      cutoff = storeNow - grace;
    }
    while (!storeWitnesses.isEmpty() && now - storeWitnesses.peekFirst()[0] >= grace) {
      temporaryCutoff = Math.max(temporaryCutoff, storeWitnesses.pollFirst()[1]);
    }
    // Or idle since before a witness at least a grace period old by our clock.
    cutoff = Math.max(cutoff, temporaryCutoff);
    if (cutoff == Long.MIN_VALUE) {
      return 0;
    }
    int deleted = 0;
    for (String dir : List.of(ManifestPaths.SST_DIR, ManifestPaths.BLOB_DIR)) {
      deleted += ctx.store().deleteAbandonedTemporaries(dir, cutoff);
    }
    if (!ctx.manifestStore().hasOwnClock()) {
      // Same clock as the cutoff; a store with its own clock has no temporaries (JDBC rows).
      deleted += ctx.manifestStore().deleteAbandonedTemporaries(cutoff);
    }
    return deleted;
  }
}
