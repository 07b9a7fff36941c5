package io.isledb.inspect;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.manifest.GcStateCodec;
import io.isledb.manifest.Lease;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Checks every object under a prefix against its format (FORMAT.md): the checks readers make, made
 * for every byte at once.
 */
final class Verifier {
  private final ObjectStore store;
  private final Manifest manifest;
  private final List<VerifyReport.Problem> problems = new ArrayList<>();

  Verifier(ObjectStore store, Manifest manifest) {
    this.store = store;
    this.manifest = manifest;
  }

  VerifyReport run(Consumer<String> onObject) {
    Map<String, ObjectInfo> listed = new TreeMap<>();
    for (ObjectInfo o : Inspector.listAll(store, manifest.store())) {
      listed.put(o.name(), o);
    }
    long objects = 0;
    long bytes = 0;
    for (ObjectInfo o : listed.values()) {
      if (o.name().startsWith("storage-probe/")) {
        continue; // a few bytes nothing reads (FORMAT.md)
      }
      onObject.accept(o.name());
      objects++;
      try {
        bytes += check(o);
      } catch (IsleException e) {
        problems.add(new VerifyReport.Problem(o.name(), e.getMessage()));
      }
    }
    checkHeadTables(listed);
    problems.sort(java.util.Comparator.comparing(VerifyReport.Problem::object));
    return new VerifyReport(objects, bytes, List.copyOf(problems));
  }

  /** Checks one object; returns the bytes read. */
  private long check(ObjectInfo o) {
    String name = o.name();
    if (name.startsWith(ManifestPaths.SST_DIR)) {
      return TableDump.scan(store, name, o.size());
    }
    byte[] data =
        (name.startsWith(ManifestPaths.MANIFEST_DIR) ? manifest.store().get(name) : store.get(name))
            .orElseThrow(
                () -> IsleException.unavailable("listed but gone when read", (Throwable) null));
    if (name.startsWith(ManifestPaths.BLOB_DIR)) {
      checkBlob(name, data);
    } else if (name.startsWith(ManifestPaths.LOG_DIR)) {
      ManifestCodec.decodeEdit(name, ManifestPaths.seqOf(name), data);
    } else if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
      ManifestCodec.decodeSnapshot(name, ManifestPaths.seqOf(name), data);
    } else if (name.equals(ManifestPaths.CURRENT)) {
      ManifestCodec.decodeCurrent(name, data);
    } else if (name.equals(ManifestPaths.SETTINGS)) {
      ManifestCodec.decodeSettings(name, data);
    } else if (name.startsWith(ManifestPaths.PINS_DIR)) {
      ManifestCodec.decodePin(name, data);
    } else if (name.startsWith(Lease.DIR)) {
      Lease.decode(name, data);
    } else if (name.equals(ManifestPaths.GC_PENDING)) {
      GcStateCodec.decodePending(name, data);
    } else if (name.equals(ManifestPaths.GC_CHECKPOINT)) {
      GcStateCodec.decodeCheckpoint(name, data);
    }
    return data.length;
  }

  /** A blob's name starts with the SHA-256 of its bytes (FORMAT.md, "Blobs"). */
  private void checkBlob(String name, byte[] data) {
    String blob = ManifestPaths.blobNameOf(name);
    int dash = blob == null ? -1 : blob.indexOf('-');
    if (dash < 0) {
      problems.add(new VerifyReport.Problem(name, "not a blob name (<sha256>-<uniquifier>.blob)"));
      return;
    }
    String actual;
    try {
      actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw IsleException.internal("no SHA-256 in this JVM", e);
    }
    if (!actual.equals(blob.substring(0, dash))) {
      problems.add(
          new VerifyReport.Problem(
              name, "SHA-256 mismatch: the " + data.length + " bytes hash to " + actual));
    }
  }

  /** Every table of the newest version is there, with the size its record gives. */
  private void checkHeadTables(Map<String, ObjectInfo> listed) {
    ManifestState head;
    try {
      head = manifest.loadLatest();
    } catch (IsleException e) {
      problems.add(new VerifyReport.Problem("manifest/", "cannot load the newest version: " + e));
      return;
    }
    for (SstMeta t : head.allTables()) {
      if (t.borrowed()) {
        continue; // lives under its home prefix; verify that one
      }
      ObjectInfo o = listed.get(t.objectName());
      if (o == null) {
        problems.add(
            new VerifyReport.Problem(
                t.objectName(), "missing, but version " + head.seq() + " holds it"));
      } else if (o.size() != t.size()) {
        problems.add(
            new VerifyReport.Problem(
                t.objectName(),
                o.size() + " bytes, but version " + head.seq() + " records " + t.size()));
      }
    }
  }
}
