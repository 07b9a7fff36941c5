package io.isledb.db.gc;

import io.isledb.ReaderOptions;
import io.isledb.db.BlobRef;
import io.isledb.db.DbContext;
import io.isledb.db.read.Tables;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GC's live set (PROTOCOL.md section 7, "What is live"): the tables of the retained window and of
 * every version pin, and the blobs they reference. Blob references are read once per table (one
 * sequential read of a table that has any) and cached while the table stays live.
 */
final class GcLiveSet {
  private final Tables tables;
  private final Map<String, Set<String>> blobsByTable = new HashMap<>();

  /**
   * One pass's live objects.
   *
   * @param tables live table id to its metadata
   * @param blobs blob names the live tables reference
   */
  record Live(Map<String, SstMeta> tables, Set<String> blobs) {}

  GcLiveSet(DbContext ctx) {
    this(ctx.store());
  }

  /** For {@link GcDryRun}, which has a store but no database context. */
  GcLiveSet(io.isledb.ObjectStore store) {
    this.tables = Tables.uncached(store, 0, ReaderOptions.defaults().maxOpenTables());
  }

  /**
   * Phase three: the tables of {@code window} from {@code base} on and of every version pin, and
   * the blobs they reference.
   */
  Live compute(GcWindow window, long base, List<ManifestCodec.Pin> pins) {
    Map<String, SstMeta> metas = new HashMap<>();
    window.tablesInto(base, metas);
    for (ManifestCodec.Pin p : pins) {
      if (!p.history()) {
        for (SstMeta t : p.state().allTables()) {
          metas.put(t.id(), t);
        }
      }
    }
    Set<String> blobs = new HashSet<>();
    for (SstMeta t : metas.values()) {
      // A borrowed table's blobs live in its home, whose GC keeps them (PROTOCOL.md section 9).
      if (t.blobRefs() > 0 && !t.borrowed()) {
        blobs.addAll(blobsOf(t));
      }
    }
    return new Live(metas, blobs);
  }

  /**
   * The blobs {@code t} references (read once, then cached).
   *
   * @throws io.isledb.IsleException if the table cannot be read
   */
  Set<String> blobsOf(SstMeta t) {
    Set<String> cached = blobsByTable.get(t.id());
    if (cached != null) {
      return cached;
    }
    Set<String> names = new HashSet<>();
    try {
      TableIterator it = tables.get(t).reader().iterator(ScanOptions.sequential(4 << 20));
      it.seekToFirst();
      while (it.valid()) {
        if (it.kind().isBlob()) {
          names.add(BlobRef.decode(it.value(), "table " + t.id()).name());
        }
        it.next();
      }
    } finally {
      tables.invalidate(t.id());
    }
    blobsByTable.put(t.id(), names);
    return names;
  }

  /** Forgets the cached references of table {@code id}. */
  void forget(String id) {
    blobsByTable.remove(id);
  }

  /** Forgets the cached references of every table not in {@code live}. */
  void retainOnly(Set<String> live) {
    blobsByTable.keySet().retainAll(live);
  }

  void close() {
    tables.close();
  }
}
