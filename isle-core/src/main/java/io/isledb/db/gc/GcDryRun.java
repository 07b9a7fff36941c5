package io.isledb.db.gc;

import io.isledb.DBOptions;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.db.Pins;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Lease;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only preview of a GC pass, for {@code isle gc --dry-run} (docs/isle-cli.md): what a
 * garbage collector would delete under one prefix, and why. It writes nothing and fences no one.
 *
 * <p>It applies the rules of {@link DbGarbageCollector} (PROTOCOL.md section 7) to one reading of
 * the store, with one difference: a collector measures ages from when <em>it</em> first saw an
 * object (its own clock, kept in memory), which a separate process cannot know. The preview takes
 * each object's listed modification time instead, so it shows what a collector that has been
 * running since the objects appeared would do; a freshly started collector deletes nothing during
 * its first grace period. Fork sources and temporary files are not previewed.
 */
@Internal
public final class GcDryRun {
  private GcDryRun() {}

  /**
   * One object GC would delete.
   *
   * @param object the object name under the prefix
   * @param size its size in bytes
   * @param reason why it is garbage
   * @param due whether it is old enough (by its modification time) to go in the next pass; if not,
   *     it goes a grace period after GC first sees it unreferenced
   */
  public record Candidate(String object, long size, String reason, boolean due) {}

  /**
   * The preview.
   *
   * @param head the newest version
   * @param base the retained window's base: versions before it are no longer openable after GC
   * @param candidates what would be deleted, in name order
   * @param unreadable pins or leases that could not be read (GC then fails closed, as here)
   * @param notes what else a pass would do or could not be previewed
   */
  public record Plan(
      long head,
      long base,
      List<Candidate> candidates,
      List<String> unreadable,
      List<String> notes) {}

  /**
   * Previews a pass over the database with tables on {@code store} and its manifest on {@code
   * manifestStore} at {@code options.clock()}'s time.
   */
  public static Plan plan(ObjectStore store, ManifestStore manifestStore, DBOptions options) {
    long now = options.clock().millis();
    long grace = recordedGrace(manifestStore).orElse(options.gcGracePeriod().toMillis());
    long retention = options.logRetention().toMillis();
    Manifest manifest = new Manifest(manifestStore);
    ManifestState head = manifest.loadLatest();
    List<Candidate> out = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> unreadablePins = new ArrayList<>();
    List<ManifestCodec.Pin> pins = new ArrayList<>();
    for (ManifestCodec.Pin p : Pins.read(manifestStore, unreadablePins)) {
      if (PinExpiry.expired(p, now, grace)) {
        out.add(
            new Candidate(
                ManifestPaths.pin(p.name()),
                0,
                "pin of version " + p.version() + " expired at " + p.expiresAtMillis(),
                true));
      } else if (p.holdObject() != null && store.stat(p.holdObject()).isEmpty()) {
        // Released (PinHolds.held): the next pass removes the pin, and what only it kept goes.
        out.add(
            new Candidate(
                ManifestPaths.pin(p.name()),
                0,
                "pin of version "
                    + p.version()
                    + " released: its hold "
                    + p.holdObject()
                    + " is gone",
                true));
      } else {
        pins.add(p);
      }
    }

    // The retained window (GcWindow.retain), ages from modification times.
    List<ObjectInfo> log = manifestStore.list(ManifestPaths.LOG_DIR);
    List<ObjectInfo> snapshots = manifestStore.list(ManifestPaths.SNAPSHOT_DIR);
    long minNeeded = head.seq();
    for (ObjectInfo o : log) {
      long s = ManifestPaths.seqOf(o.name());
      if (s > 0 && now - o.lastModifiedMillis() < retention) {
        minNeeded = Math.min(minNeeded, s);
        break;
      }
    }
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        minNeeded = Math.min(minNeeded, p.version());
      }
    }
    List<Long> snapSeqs = new ArrayList<>();
    snapshots.forEach(o -> snapSeqs.add(ManifestPaths.seqOf(o.name())));
    long currentSnapshot =
        manifest.readCurrent().map(ManifestCodec.Current::snapshotSeq).orElse(0L);
    if (snapSeqs.isEmpty() || snapSeqs.get(snapSeqs.size() - 1) < head.seq()) {
      notes.add("GC first writes the snapshot of head " + head.seq() + " (and CURRENT)");
      snapSeqs.add(head.seq());
      currentSnapshot = head.seq();
    }
    long base = 0;
    for (long s : snapSeqs) {
      if (s <= minNeeded && s <= currentSnapshot) {
        base = s;
      }
    }
    if (!unreadablePins.isEmpty()) {
      notes.add("a pin could not be read: GC deletes nothing at all (fail closed)");
      return new Plan(head.seq(), base, List.of(), unreadablePins, notes);
    }

    // Live tables and blobs (GcWindow.tablesInto, GcLiveSet.compute).
    Map<String, SstMeta> live = new HashMap<>();
    ManifestState baseState = base == 0 ? ManifestState.empty() : manifest.loadVersion(base);
    baseState.allTables().forEach(t -> live.put(t.id(), t));
    manifest.catchUp(baseState, head.seq(), e -> addedBy(e).forEach(t -> live.put(t.id(), t)));
    for (ManifestCodec.Pin p : pins) {
      if (!p.history()) {
        p.state().allTables().forEach(t -> live.put(t.id(), t));
      }
    }
    Set<String> liveObjects = new HashSet<>();
    GcLiveSet blobs = new GcLiveSet(store);
    try {
      for (SstMeta t : live.values()) {
        if (t.borrowed()) {
          continue; // its home's GC keeps it and its blobs
        }
        liveObjects.add(t.objectName());
        if (t.blobRefs() > 0) {
          blobs.blobsOf(t).forEach(b -> liveObjects.add(ManifestPaths.blob(b)));
        }
      }
    } finally {
      blobs.close();
    }

    // Leases (GcLeases): live while changed within max(grace, ttl).
    List<String> unreadable = new ArrayList<>();
    Lease.Coverage leased = new Lease.Coverage();
    for (ObjectInfo o : manifestStore.list(Lease.DIR)) {
      Lease l;
      try {
        l = Lease.decode(o.name(), manifestStore.get(o.name()).orElse(new byte[0]));
      } catch (IsleException e) {
        unreadable.add(o.name());
        continue;
      }
      long lifetime = Math.max(grace, l.ttlMillis());
      if (now - o.lastModifiedMillis() < lifetime) {
        leased.add(l);
      } else {
        out.add(
            new Candidate(
                o.name(),
                o.size(),
                "lease of " + l.author() + " unchanged for " + lifetime + " ms or more",
                true));
      }
    }
    if (!unreadable.isEmpty()) {
      notes.add("a lease could not be read: GC marks and deletes no table or blob (fail closed)");
    } else {
      List<ObjectInfo> objects = list(store, ManifestPaths.SST_DIR);
      objects.addAll(list(store, ManifestPaths.BLOB_DIR));
      for (ObjectInfo o : objects) {
        if (!liveObjects.contains(o.name()) && !leased.covers(o.name())) {
          String what =
              o.name().startsWith(ManifestPaths.SST_DIR)
                  ? "table in no version from base " + base + " to head " + head.seq()
                  : "blob referenced by no live table";
          out.add(
              new Candidate(
                  o.name(),
                  o.size(),
                  what + ", no version pin and no live lease",
                  now - o.lastModifiedMillis() >= grace));
        }
      }
    }

    // Log edits and snapshots (GcLogCollection.collectible).
    for (ObjectInfo o : log) {
      long s = ManifestPaths.seqOf(o.name());
      if (s > 0 && s <= base && now - o.lastModifiedMillis() >= Math.max(grace, retention)) {
        out.add(new Candidate(o.name(), o.size(), "log edit at or below base " + base, true));
      }
    }
    for (ObjectInfo o : snapshots) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0 && s < base && now - o.lastModifiedMillis() >= grace) {
        out.add(new Candidate(o.name(), o.size(), "snapshot below base " + base, true));
      }
    }
    if (!head.commits().sources().isEmpty()) {
      notes.add("fork sources (their release by GC) are not previewed");
    }
    out.sort(java.util.Comparator.comparing(Candidate::object));
    return new Plan(head.seq(), base, out, unreadable, notes);
  }

  /** The tables an edit brings into the window (as {@link GcWindow} counts them). */
  private static List<SstMeta> addedBy(Edit e) {
    if (e.change() instanceof Edit.AddTables a) {
      return a.tables();
    } else if (e.change() instanceof Edit.Compact c) {
      return c.output();
    } else if (e.change() instanceof Edit.Restore r) {
      return r.state().allTables();
    } else if (e.change() instanceof Edit.Fork f) {
      return f.state().allTables();
    }
    return List.of();
  }

  private static Optional<Long> recordedGrace(ManifestStore store) {
    return store
        .get(ManifestPaths.SETTINGS)
        .map(b -> ManifestCodec.decodeSettings(ManifestPaths.SETTINGS, b).gcGracePeriodMillis());
  }

  private static List<ObjectInfo> list(ObjectStore store, String dir) {
    List<ObjectInfo> out = new ArrayList<>();
    Iterator<ObjectInfo> it = store.list(dir);
    it.forEachRemaining(out::add);
    return out;
  }
}
