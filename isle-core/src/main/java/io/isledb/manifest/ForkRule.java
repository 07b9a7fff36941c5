package io.isledb.manifest;

/**
 * The replay rule of a {@link Edit.Fork} edit (docs/PROTOCOL.md section 9): only the writer, and
 * only on a new database (no table, no sequence number, no source), so a fork edit can never mix
 * borrowed tables into data that is already there. The fork's state brings its tables, {@code
 * lastSeq}, run ids, table properties and sources; fences, tokens and commit users' marks stay.
 */
final class ForkRule {
  private ForkRule() {}

  /** Why a fork edit by {@code role} is ignored at {@code current}, or null. */
  static String validate(ManifestState current, Role role) {
    if (role != Role.WRITER) {
      return "role " + role.id() + " may not create a fork";
    }
    if (!current.allTables().isEmpty()
        || current.lastSeq() != 0
        || !current.commits().sources().isEmpty()) {
      return "a fork can only be created on a database without data (version "
          + current.seq()
          + " has "
          + current.allTables().size()
          + " tables, lastSeq "
          + current.lastSeq()
          + ")";
    }
    return null;
  }

  /** The state after the fork edit of slot {@code seq}. */
  static ManifestState apply(ManifestState current, long seq, Edit.Fork f) {
    ManifestState p = f.state();
    java.util.TreeMap<String, String> props =
        new java.util.TreeMap<>(current.commits().properties());
    props.putAll(p.commits().properties());
    CommitState commits =
        CommitState.of(current.commits().users().values(), props, p.commits().sources().values());
    return new ManifestState(
        seq,
        current.fences(),
        p.lastSeq(),
        p.l0(),
        p.runs(),
        current.tokens(),
        current.maxCommittedLsn(),
        current.lowWatermarkLsn(),
        Math.max(current.nextRunId(), p.nextRunId()),
        commits);
  }
}
