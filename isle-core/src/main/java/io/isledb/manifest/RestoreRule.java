package io.isledb.manifest;

/**
 * The replay rule of a {@link Edit.Restore} edit (PROTOCOL.md, "Rollback to a pinned version"). The
 * restored state takes the tables (L0 and runs), commit tokens, commit users' marks, table
 * properties and LSN bounds of the restored version: everything published after it vanishes, so a
 * job replaying its commits after a rollback is applied again rather than deduplicated. It keeps
 * the current fences (the rollback fences nobody by itself) and the current {@code lastSeq} (never
 * lower): sequence numbers keep increasing, so a write after the rollback shadows restored data,
 * and {@code nextRunId} never goes back, so a run id is never reused.
 */
final class RestoreRule {
  private RestoreRule() {}

  /** Why {@code r} is ignored by {@code role} at {@code current}, or null. */
  static String validate(ManifestState current, Role role, Edit.Restore r) {
    if (role != Role.WRITER) {
      return "role " + role.id() + " may not restore a version";
    }
    if (r.version() < 0 || r.version() > current.seq()) {
      return "restored version " + r.version() + " is not at or below version " + current.seq();
    }
    return null;
  }

  /** The state after the restore edit of slot {@code seq}. */
  static ManifestState apply(ManifestState current, long seq, Edit.Restore r) {
    ManifestState p = r.state();
    return new ManifestState(
        seq,
        current.fences(),
        Math.max(current.lastSeq(), p.lastSeq()),
        p.l0(),
        p.runs(),
        p.tokens(),
        p.maxCommittedLsn(),
        p.lowWatermarkLsn(),
        Math.max(current.nextRunId(), p.nextRunId()),
        // A fork's sources are never forgotten (PROTOCOL.md section 9): a source GC removes the
        // pin of a fork whose state no longer lists it.
        p.commits().withSources(current.commits().sources().values()));
  }
}
