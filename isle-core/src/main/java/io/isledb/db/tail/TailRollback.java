package io.isledb.db.tail;

import io.isledb.RolledBackException;
import io.isledb.db.DbContext;
import io.isledb.manifest.Edit;

/**
 * What a tailing reader does at a rollback edit: it fails, because the changes after it are not a
 * continuation of the ones before (docs/isle-core.md, "Rollback to a pinned version").
 */
final class TailRollback {
  private TailRollback() {}

  static RolledBackException at(DbContext ctx, long version, Edit.Restore r) {
    return new RolledBackException(
        "version "
            + version
            + " of "
            + ctx.store().location()
            + " rolled the database back to version "
            + r.version()
            + ": changes after that version were undone; read version "
            + version
            + " or later in full and tail from there",
        version,
        r.version());
  }
}
