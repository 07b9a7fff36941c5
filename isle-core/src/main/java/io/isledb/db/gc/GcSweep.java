package io.isledb.db.gc;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GC's marks and sweep of tables and blobs (PROTOCOL.md section 7, "Marks and deletion"): an object
 * that is neither live nor leased is marked with a clock reading taken after the listing that found
 * it, and deleted by a pass whose {@code now} is a grace period past its mark.
 */
final class GcSweep {
  private static final Logger LOG = LoggerFactory.getLogger(GcSweep.class);

  /** Object name to the clock reading (after the listing) that first found it unreferenced. */
  private final Map<String, Long> marks = new HashMap<>();

  /** What one sweep did. */
  record Swept(
      int newlyMarked, int deletedTables, int deletedBlobs, long deletedBytes, int unreferenced) {
    /** A pass that did not list (nothing it could mark or delete had changed). */
    static final Swept SKIPPED = new Swept(0, 0, 0, 0, 0);
  }

  /**
   * Unmarks every table an edit read in this pass added, and the blobs it references. A mark set
   * while such a table was an uncommitted upload (or its blob was) measures nothing about the time
   * since it stopped being live: without this, a table committed and removed again between two
   * passes would be deleted as soon as it is dead, with no grace period for readers of the versions
   * that held it (item 14a of issue 8).
   */
  void unmarkAdded(List<SstMeta> added, Set<String> live, GcLiveSet liveSet) {
    if (added.isEmpty() || marks.isEmpty()) {
      return;
    }
    boolean blobMarks = false;
    for (String name : marks.keySet()) {
      if (name.startsWith(ManifestPaths.BLOB_DIR)) {
        blobMarks = true;
        break;
      }
    }
    for (SstMeta t : added) {
      if (t.borrowed()) {
        continue; // not ours: neither it nor its blobs are under this prefix
      }
      marks.remove(t.objectName());
      if (!blobMarks || t.blobRefs() == 0) {
        continue;
      }
      Set<String> blobs;
      try {
        blobs = liveSet.blobsOf(t);
      } catch (IsleException e) {
        // Its blobs are unknown (the table is unreadable or gone): restart every blob mark.
        LOG.warn("cannot read blob references of {}: {}", t.objectName(), e.getMessage());
        marks.keySet().removeIf(n -> n.startsWith(ManifestPaths.BLOB_DIR));
        blobMarks = false;
        continue;
      }
      for (String b : blobs) {
        marks.remove(ManifestPaths.blob(b));
      }
      if (!live.contains(t.id())) {
        liveSet.forget(t.id());
      }
    }
  }

  /**
   * Phase four: unmarks live and leased objects among {@code objects} (the listing of tables and
   * blobs), marks the others at {@code markTime} (a reading taken after that listing), and deletes
   * those marked a grace period before {@code now}. Without {@code sweep} (fail closed: an
   * unreadable lease may name an upload in flight) it only unmarks.
   */
  Swept markAndSweep(
      ObjectStore store,
      List<ObjectInfo> objects,
      GcLiveSet.Live live,
      Lease.Coverage leased,
      long markTime,
      long now,
      long grace,
      boolean sweep) {
    Set<String> listed = new HashSet<>();
    List<String> delete = new ArrayList<>();
    int newlyMarked = 0;
    int deletedTables = 0;
    int deletedBlobs = 0;
    long deletedBytes = 0;
    int unreferenced = 0;
    for (ObjectInfo o : objects) {
      listed.add(o.name());
      String id = ManifestPaths.sstIdOf(o.name());
      String blob = ManifestPaths.blobNameOf(o.name());
      boolean referenced =
          (id != null && live.tables().containsKey(id))
              || (blob != null && live.blobs().contains(blob));
      if (!referenced) {
        unreferenced++; // leased (an upload in flight) or garbage
      }
      if (referenced || leased.covers(o.name())) {
        marks.remove(o.name());
        continue;
      }
      if (!sweep) {
        continue; // fail closed: an unreadable lease may name this upload
      }
      Long since = marks.get(o.name());
      if (since == null) {
        marks.put(o.name(), markTime);
        newlyMarked++;
      } else if (now - since >= grace) {
        delete.add(o.name());
        deletedBytes += o.size();
        if (id != null) {
          deletedTables++;
        } else {
          deletedBlobs++;
        }
      }
    }
    marks.keySet().retainAll(listed);
    if (!delete.isEmpty()) {
      store.deleteAll(delete);
      delete.forEach(marks::remove);
    }
    return new Swept(newlyMarked, deletedTables, deletedBlobs, deletedBytes, unreferenced);
  }

  /** How many objects are marked. */
  int marked() {
    return marks.size();
  }

  /** The marks, by name, for GC's pending state. */
  SortedMap<String, Long> marks() {
    return new TreeMap<>(marks);
  }
}
