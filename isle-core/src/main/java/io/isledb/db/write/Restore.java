package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.MetadataReads;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Rolls the database back to a pinned version when a writer opens "restored to" a pin (PROTOCOL.md,
 * "Rollback to a pinned version"). Runs right after the writer's fence, so no earlier writer can
 * publish any more; the rollback is one {@link Edit.Restore} edit, so it happened whole or not at
 * all, or none when only fences follow the pinned version. The pin keeps the restored tables from
 * GC until the edit is committed; from then on they are live in the head.
 */
final class Restore {
  private Restore() {}

  /**
   * Edits after the pinned version read to find out whether they are all fences: beyond this many,
   * the restore edit is appended without looking (a restore right after a failover, or after a few
   * failed attempts, is within it).
   */
  static final int MAX_EDITS_CHECKED = 8;

  /**
   * Rolls back to the version pin {@code pinName} (or the version a history pin starts at), right
   * after the writer's fence: publishes a restore edit, unless every edit after the pinned version
   * is a fence (of any role: a failover before anything was committed after the checkpoint, maybe
   * after earlier restored attempts that committed nothing). Fences change no data, so the head is
   * the pinned version's state already, and an edit would only cost a durable write. Costs one GET
   * (the pin), plus loading the version for a history pin, plus a GET per edit between the pinned
   * version and the fence (at most {@link #MAX_EDITS_CHECKED}), plus the edit's create when one is
   * needed; for a version pin (which carries its state) no edit is read: its state is compared with
   * the head's ({@link #restoresNothing}). After an edit the caller writes a snapshot of the new
   * head ({@link WriterCommits#snapshotHead}): the edit holds the whole restored state anyway, and
   * a snapshot of it lets every later open skip the log before it, however often the same pin is
   * restored.
   *
   * @return whether a restore edit was published
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such pin, it expired, or its
   *     version is no longer readable
   */
  static boolean run(DbContext ctx, ManifestAppender appender, String pinName) {
    return run(ctx, appender, pinName, null);
  }

  /**
   * The pin {@code pinName}'s read, started now on another thread: a writer opening restored to it
   * reads it while it loads the manifest ({@link #run(DbContext, ManifestAppender, String,
   * CompletableFuture)}).
   */
  static CompletableFuture<Optional<ManifestCodec.Pin>> startPinRead(
      DbContext ctx, String pinName) {
    return MetadataReads.start(() -> Pins.get(ctx.manifestStore(), pinName));
  }

  /** {@link #run(DbContext, ManifestAppender, String)} with the pin's read {@code started}. */
  static boolean run(
      DbContext ctx,
      ManifestAppender appender,
      String pinName,
      CompletableFuture<Optional<ManifestCodec.Pin>> started) {
    ManifestCodec.Pin pin = pin(ctx, pinName, started, appender.head());
    if (!pin.history()) {
      // A version pin carries its state: compared with the head, no edit needs reading. Fences
      // change none of what a restore edit sets, so a difference means a data edit came after.
      if (restoresNothing(appender.head(), pin.state())) {
        return false;
      }
    } else if (onlyFencesAfter(ctx, pin.version(), appender.head().seq())) {
      return false;
    }
    ManifestState target = target(ctx, pin);
    appender.append(head -> Optional.of(new Edit.Restore(target)), null);
    return true;
  }

  /**
   * Whether a restore edit to {@code target} would leave {@code head} as it is ({@code
   * RestoreRule}): the same tables, commit tokens, LSN bounds, commit users' marks and table
   * properties. Then every edit after the pinned version was a fence or changed nothing, or an
   * earlier restore to the same version already rolled it back (a task restored again from the same
   * checkpoint), and the head is the restored state already. Without a comparison the writer read
   * each edit since the pinned version, one GET after another, to find that out.
   */
  static boolean restoresNothing(ManifestState head, ManifestState target) {
    return head.l0().equals(target.l0())
        && head.runs().equals(target.runs())
        && head.tokens().equals(target.tokens())
        && head.maxCommittedLsn() == target.maxCommittedLsn()
        && head.lowWatermarkLsn() == target.lowWatermarkLsn()
        && head.commits().users().equals(target.commits().users())
        && head.commits().properties().equals(target.commits().properties());
  }

  /** Whether every edit in slots {@code (version, fenceSeq]} is a fence (the last is ours). */
  private static boolean onlyFencesAfter(DbContext ctx, long version, long fenceSeq) {
    if (fenceSeq - version - 1 > MAX_EDITS_CHECKED) {
      return false;
    }
    for (long s = version + 1; s < fenceSeq; s++) {
      Optional<Edit> e = ctx.manifest().readEdit(s);
      if (e.isEmpty() || !(e.get().change() instanceof Edit.Fence)) {
        return false; // a data edit, or collected meanwhile: roll back with an edit
      }
    }
    return true;
  }

  private static ManifestCodec.Pin pin(
      DbContext ctx,
      String pinName,
      CompletableFuture<Optional<ManifestCodec.Pin>> started,
      ManifestState head) {
    String where = " of " + ctx.store().location();
    Optional<ManifestCodec.Pin> read =
        started != null ? MetadataReads.join(started) : Pins.get(ctx.manifestStore(), pinName);
    ManifestCodec.Pin pin =
        read.orElseThrow(
            () ->
                IsleException.invalidArgument(
                    "cannot restore to pin '" + pinName + "'" + where + ": no such pin"));
    String what = describe(ctx, pin);
    if (pin.expires() && ctx.clock().millis() >= pin.expiresAtMillis()) {
      // GC may already be collecting what an expired pin kept.
      throw IsleException.invalidArgument(
          what + ": the pin expired at " + pin.expiresAtMillis() + " (epoch ms)");
    }
    if (pin.version() > head.seq()) {
      throw IsleException.invalidArgument(what + ": the newest version is " + head.seq());
    }
    return pin;
  }

  private static String describe(DbContext ctx, ManifestCodec.Pin pin) {
    return "cannot restore to pin '"
        + pin.name()
        + "' (version "
        + pin.version()
        + ") of "
        + ctx.store().location();
  }

  private static ManifestState target(DbContext ctx, ManifestCodec.Pin pin) {
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
          IsleException.Kind.INVALID_ARGUMENT,
          describe(ctx, pin) + ": the version is no longer readable",
          e);
    }
  }
}
