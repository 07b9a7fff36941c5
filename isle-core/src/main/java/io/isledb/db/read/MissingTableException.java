package io.isledb.db.read;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;

/**
 * A table a version references is gone from storage. Every reader role judges it the same way,
 * against the newest version ({@link #judge}): if the newest version still references the table,
 * storage lost a live table and this exception (CORRUPTION) is the answer; if not, GC collected it
 * because the version being read is no longer retained, which is INVALID_ARGUMENT, like every other
 * read of a version or position outside the retained window. The reader's own reads never see the
 * second case: they refresh and retry on the newest version.
 */
public final class MissingTableException extends CorruptionException {
  private static final long serialVersionUID = 1L;
  final String tableId;

  public MissingTableException(SstMeta meta, ObjectStore store) {
    super("table " + meta.objectName() + " is missing from " + store.location());
    this.tableId = meta.id();
  }

  /**
   * The failure to report for this missing table, given the {@code newest} state (loaded after it
   * was found missing): this exception if {@code newest} still references the table, else
   * INVALID_ARGUMENT saying that {@code what} (for example "version 12") is no longer retained.
   */
  public IsleException judge(ManifestState newest, String what) {
    if (newest.table(tableId) != null) {
      return this;
    }
    return new IsleException(
        IsleException.Kind.INVALID_ARGUMENT,
        what
            + " is no longer retained: table "
            + tableId
            + " was garbage collected (pin the version to keep it)",
        this);
  }
}
