package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.BlockCache;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import io.isledb.sst.TableReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The objects a database must hold, computed from its manifest independently of the garbage
 * collector, for tests that assert GC converges to exactly the live set: tables of the newest
 * version and of every pinned version (for history pins, only the pinned version's own tables), the
 * blobs those tables reference, and the manifest objects an idle, fully collected database keeps.
 */
public final class LiveObjects {
  private LiveObjects() {}

  /** Every object name listed under the database prefix, sorted (manifest on the store). */
  public static TreeSet<String> listing(ObjectStore store) {
    return listing(store, new ObjectStoreManifestStore(store));
  }

  /**
   * Every object name listed under the database prefix plus every entry of its manifest store,
   * sorted: a manifest kept apart (JDBC) lists its entries under their {@code manifest/...} names,
   * and any {@code manifest/} object on the object store is listed too (there should be none).
   */
  public static TreeSet<String> listing(ObjectStore store, ManifestStore manifest) {
    TreeSet<String> out = new TreeSet<>();
    for (String dir : List.of("manifest/", ManifestPaths.SST_DIR, ManifestPaths.BLOB_DIR)) {
      store.list(dir).forEachRemaining(o -> out.add(o.name()));
    }
    manifest.list(ManifestPaths.MANIFEST_DIR).forEach(o -> out.add(o.name()));
    return out;
  }

  /** The newest version and every pinned version (its state from a version pin's object). */
  public static List<ManifestState> retainedStates(ObjectStore store) {
    return retainedStates(new ObjectStoreManifestStore(store));
  }

  /** {@link #retainedStates(ObjectStore)} of the manifest in {@code manifest}. */
  public static List<ManifestState> retainedStates(ManifestStore manifest) {
    Manifest ms = new Manifest(manifest);
    List<ManifestState> states = new ArrayList<>();
    states.add(ms.loadLatest());
    for (ManifestCodec.Pin p : Pins.read(manifest)) {
      states.add(p.history() ? ms.loadVersion(p.version()) : p.state());
    }
    return states;
  }

  /** Table and blob objects the newest version and every pinned version reference. */
  public static TreeSet<String> referencedData(ObjectStore store) {
    return referencedData(store, new ObjectStoreManifestStore(store));
  }

  /** {@link #referencedData(ObjectStore)} with the manifest in {@code manifest}. */
  public static TreeSet<String> referencedData(ObjectStore store, ManifestStore manifest) {
    TreeSet<String> out = new TreeSet<>();
    Set<String> seen = new HashSet<>();
    for (ManifestState s : retainedStates(manifest)) {
      for (SstMeta t : s.allTables()) {
        if (seen.add(t.id())) {
          out.add(t.objectName());
          out.addAll(blobsOf(store, t));
        }
      }
    }
    return out;
  }

  /**
   * The exact listing of an idle database without pins once GC has collected everything it may: the
   * referenced data, CURRENT, the snapshot of the newest version, GC's own two state objects and
   * the settings object (when an author recorded one). No log edits, no older snapshots, no leases.
   */
  public static TreeSet<String> convergedListing(ObjectStore store) {
    return convergedListing(store, new ObjectStoreManifestStore(store));
  }

  /** {@link #convergedListing(ObjectStore)} with the manifest in {@code manifest}. */
  public static TreeSet<String> convergedListing(ObjectStore store, ManifestStore manifest) {
    TreeSet<String> out = referencedData(store, manifest);
    ManifestState head = new Manifest(manifest).loadLatest();
    out.add(ManifestPaths.CURRENT);
    out.add(ManifestPaths.snapshot(head.seq()));
    out.add(ManifestPaths.GC_PENDING);
    out.add(ManifestPaths.GC_CHECKPOINT);
    // The database's settings, recorded by its first author and kept for good.
    if (manifest.stat(ManifestPaths.SETTINGS).isPresent()) {
      out.add(ManifestPaths.SETTINGS);
    }
    return out;
  }

  /** Blob objects referenced by table {@code t} (reads the whole table). */
  public static Set<String> blobsOf(ObjectStore store, SstMeta t) {
    Set<String> out = new TreeSet<>();
    if (t.blobRefs() == 0) {
      return out;
    }
    Optional<byte[]> data = store.get(t.objectName());
    if (data.isEmpty()) {
      throw new AssertionError("live table " + t.objectName() + " is missing");
    }
    byte[] d = data.get();
    TableReader r =
        TableReader.open(
            t.objectName(),
            d.length,
            (off, len) -> {
              byte[] b = new byte[len];
              System.arraycopy(d, (int) off, b, 0, len);
              return b;
            },
            BlockCache.none(),
            0);
    TableIterator it = r.iterator(ScanOptions.sequential(0));
    it.seekToFirst();
    while (it.valid()) {
      if (it.kind().isBlob()) {
        out.add(BlobRef.decode(it.value(), t.objectName()).objectName());
      }
      it.next();
    }
    return out;
  }
}
