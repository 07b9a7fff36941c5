package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestState;
import java.util.Optional;

/**
 * Rolls the database back to a pinned version when a writer opens "restored to" a pin (PROTOCOL.md,
 * "Rollback to a pinned version"). Runs right after the writer's fence, so no earlier writer can
 * publish any more; the rollback is one {@link Edit.Restore} edit, so it happened whole or not at
 * all. The pin keeps the restored tables from GC until the edit is committed; from then on they are
 * live in the head.
 */
final class Restore {
  private Restore() {}

  /**
   * Publishes the restore edit for the version pin {@code pinName} (or the version a history pin
   * starts at), right after the writer's fence. Costs one GET (the pin), plus loading the version
   * for a history pin, plus the edit's create. The caller then writes a snapshot of the new head
   * ({@link WriterCommits#snapshotHead}): the edit holds the whole restored state anyway, and a
   * snapshot of it lets every later open skip the log before it, however often the same pin is
   * restored.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such pin, it expired, or its
   *     version is no longer readable
   */
  static void run(DbContext ctx, ManifestAppender appender, String pinName) {
    ManifestState target = target(ctx, pinName, appender.head());
    appender.append(head -> Optional.of(new Edit.Restore(target)), null);
  }

  private static ManifestState target(DbContext ctx, String pinName, ManifestState head) {
    String where = " of " + ctx.store().location();
    ManifestCodec.Pin pin =
        Pins.get(ctx.manifestStore(), pinName)
            .orElseThrow(
                () ->
                    IsleException.invalidArgument(
                        "cannot restore to pin '" + pinName + "'" + where + ": no such pin"));
    String what = "cannot restore to pin '" + pinName + "' (version " + pin.version() + ")" + where;
    if (pin.expires() && ctx.clock().millis() >= pin.expiresAtMillis()) {
      // GC may already be collecting what an expired pin kept.
      throw IsleException.invalidArgument(
          what + ": the pin expired at " + pin.expiresAtMillis() + " (epoch ms)");
    }
    if (pin.version() > head.seq()) {
      throw IsleException.invalidArgument(what + ": the newest version is " + head.seq());
    }
    if (!pin.history()) {
      return pin.state();
    }
    try {
      return ctx.manifest().loadVersion(pin.version());
    } catch (IsleException e) {
      if (e.kind() == IsleException.Kind.UNAVAILABLE) {
        throw e;
      }
      throw new IsleException(
          IsleException.Kind.INVALID_ARGUMENT, what + ": the version is no longer readable", e);
    }
  }
}
