package io.isledb.manifest;

import io.isledb.IsleException;
import io.isledb.util.Internal;

/**
 * Object names of everything IsleDB stores under a database prefix. Persisted layout: never change
 * a name here without a format version bump (see docs/FORMAT.md).
 */
@Internal
public final class ManifestPaths {
  /** Everything a manifest store keeps (docs/PROTOCOL.md section 10); nothing else is in it. */
  public static final String MANIFEST_DIR = "manifest/";

  public static final String LOG_DIR = "manifest/log/";
  public static final String SNAPSHOT_DIR = "manifest/snapshots/";
  public static final String CURRENT = "manifest/CURRENT";

  /** Settings every process on the database must share (its GC grace period). */
  public static final String SETTINGS = "manifest/settings.json";

  public static final String PINS_DIR = "manifest/pins/";
  public static final String GC_PENDING = "manifest/gc/pending-sst/pending.json";
  public static final String GC_CHECKPOINT = "manifest/gc/checkpoint.json";

  /**
   * An object of the object store (not of the manifest) that GC rewrites each pass when the
   * manifest store has a clock of its own: its stamp is the object store's clock reading for the
   * sweep of abandoned temporaries (docs/PROTOCOL.md section 10, guarantee 5).
   */
  public static final String GC_CLOCK_WITNESS = "gc/clock-witness";

  public static final String SST_DIR = "sstable/";
  public static final String BLOB_DIR = "blobs/";
  public static final String JSON_SUFFIX = ".json";

  private static final int SEQ_DIGITS = 20;

  private ManifestPaths() {}

  /**
   * {@code name}, if it is a manifest entry's (a manifest store holds nothing else).
   *
   * @throws io.isledb.IsleException INTERNAL otherwise
   */
  public static String checkManifestName(String name) {
    if (!name.startsWith(MANIFEST_DIR)) {
      throw io.isledb.IsleException.internal(
          "'" + name + "' is not a manifest entry (names start with " + MANIFEST_DIR + ")");
    }
    return name;
  }

  /** {@code manifest/log/<20-digit seq>.json}. */
  public static String log(long seq) {
    return LOG_DIR + pad(seq) + JSON_SUFFIX;
  }

  /** {@code manifest/snapshots/<20-digit seq>.json}. */
  public static String snapshot(long seq) {
    return SNAPSHOT_DIR + pad(seq) + JSON_SUFFIX;
  }

  /** {@code manifest/pins/<name>.json}. */
  public static String pin(String name) {
    return PINS_DIR + name + JSON_SUFFIX;
  }

  /**
   * Folder of pin hold objects: on the database's OBJECT store whatever the manifest store is
   * (docs/FORMAT.md). Never change it: handles of checkpoints name these objects.
   */
  public static final String PIN_HOLD_DIR = "pin-holds/";

  /**
   * {@code pin-holds/<name>}: the object that keeps a pin written with {@code
   * PinOptions.withHoldObject(true)} alive; deleting it releases the pin (PROTOCOL.md section 7).
   */
  public static String pinHold(String name) {
    return PIN_HOLD_DIR + name;
  }

  /** {@code sstable/<first 3 hex of id>/<id>.sst}: the bucket spreads tables over key prefixes. */
  public static String sst(String id) {
    return SST_DIR + id.substring(0, 3) + "/" + id + ".sst";
  }

  /** {@code blobs/<first 2 hex of name>/<name>.blob}. */
  public static String blob(String blobName) {
    return BLOB_DIR + blobName.substring(0, 2) + "/" + blobName + ".blob";
  }

  /** The sequence number in a log or snapshot object name, or -1 if it is not one. */
  public static long seqOf(String objectName) {
    int slash = objectName.lastIndexOf('/');
    String last = objectName.substring(slash + 1);
    if (last.length() != SEQ_DIGITS + JSON_SUFFIX.length() || !last.endsWith(JSON_SUFFIX)) {
      return -1;
    }
    String digits = last.substring(0, SEQ_DIGITS);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(digits);
  }

  /** The table object names of {@code state}, sorted (ReadView#tableObjects). */
  public static java.util.List<String> tableObjects(ManifestState state) {
    return state.allTables().stream().map(t -> sst(t.id())).sorted().distinct().toList();
  }

  /** The table id of an {@code sstable/...} object name, or null if it is not one. */
  public static String sstIdOf(String objectName) {
    if (!objectName.startsWith(SST_DIR) || !objectName.endsWith(".sst")) {
      return null;
    }
    String last = objectName.substring(objectName.lastIndexOf('/') + 1);
    return last.substring(0, last.length() - ".sst".length());
  }

  /** The blob name of a {@code blobs/...} object name, or null if it is not one. */
  public static String blobNameOf(String objectName) {
    if (!objectName.startsWith(BLOB_DIR) || !objectName.endsWith(".blob")) {
      return null;
    }
    String last = objectName.substring(objectName.lastIndexOf('/') + 1);
    return last.substring(0, last.length() - ".blob".length());
  }

  static String pad(long seq) {
    if (seq < 0) {
      throw IsleException.invalidArgument("negative manifest sequence " + seq);
    }
    String s = Long.toString(seq);
    return "0".repeat(SEQ_DIGITS - s.length()) + s;
  }
}
