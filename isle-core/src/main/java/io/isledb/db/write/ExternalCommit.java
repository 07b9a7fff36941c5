package io.isledb.db.write;

import io.isledb.CommitResult;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.db.DbContext;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Publishes externally built tables with one {@code add} edit (writer role). Each table gets the
 * next global sequence number in handle order, so a later commit, and a later handle within one
 * commit, shadows an earlier one. A token already committed makes the call a no-op returning the
 * earlier version: that is what makes Flink committer replays exactly-once.
 *
 * <p>The token is required. It is the only durable record of which handles were committed: the
 * tables of a commit stop being live when a compaction merges them, so "is the first table still
 * live?" cannot tell a retry from a new commit, and a retry without a token would add its old
 * entries again with new, higher global sequence numbers, shadowing every newer write. A retry is
 * recognised while its token is among the last {@link ManifestState#TOKEN_HISTORY} committed tokens
 * (part of the replay rule).
 */
public final class ExternalCommit {
  private ExternalCommit() {}

  /** Longest part of an outside string (a lease field) quoted in an error message. */
  private static final int QUOTE_LIMIT = 120;

  /**
   * Checks a commit's arguments; call before anything else (before claiming the writer role or
   * flushing), so a refused call has no effect. Handles come from outside (Flink state): their
   * lease field, which the commit deletes, must name a lease object.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming what is wrong
   */
  public static void checkArguments(List<SstHandle> handles, String token) {
    if (handles == null || handles.isEmpty()) {
      throw IsleException.invalidArgument("nothing to commit: no SST handles");
    }
    if (token == null || token.isEmpty()) {
      throw IsleException.invalidArgument(
          "an external commit needs a non-empty commit token (for example a Flink job id and"
              + " checkpoint id): the token is how a retried commit is recognised, and without"
              + " one a retry after compaction would add the old tables again above newer writes");
    }
    Set<String> ids = new HashSet<>();
    for (SstHandle h : handles) {
      if (h == null) {
        throw IsleException.invalidArgument("SST handle list contains null");
      }
      if (!ids.add(h.tableId())) {
        throw IsleException.invalidArgument(
            "table " + h.tableId() + " is listed twice in one commit");
      }
      String lease = SstHandleCodec.lease(h);
      if (!Lease.isObjectName(lease)) {
        throw IsleException.invalidArgument(
            "SST handle of table "
                + h.tableId()
                + ": field 'lease' must name an object "
                + Lease.DIR
                + "<author>.json, got '"
                + (lease.length() > QUOTE_LIMIT ? lease.substring(0, QUOTE_LIMIT) + "..." : lease)
                + "'");
      }
    }
  }

  /**
   * The earlier commit of {@code token} if the newest state remembers it (one cold manifest load).
   * Lets a replayed commit return without claiming the writer role, which would fence the writer.
   */
  public static Optional<CommitResult> alreadyCommitted(DbContext ctx, String token) {
    long v = ctx.manifest().loadLatest().tokenVersion(token);
    return v >= 0 ? Optional.of(new CommitResult(v, true)) : Optional.empty();
  }

  /** Commits through {@code appender}, which holds the writer role. Caller serializes appends. */
  public static CommitResult commit(
      DbContext ctx, ManifestAppender appender, List<SstHandle> handles, String token) {
    checkArguments(handles, token);
    List<SstMeta> tables = new ArrayList<>();
    for (SstHandle h : handles) {
      tables.add(SstHandleCodec.meta(h));
    }
    appender.refresh();
    long earlier = appender.head().tokenVersion(token);
    if (earlier >= 0) {
      return new CommitResult(earlier, true);
    }
    // A table GC already collected (its lease ran out) must not be published.
    for (SstMeta t : tables) {
      long size =
          ctx.store()
              .stat(t.objectName())
              .orElseThrow(
                  () ->
                      new CorruptionException(
                          "cannot commit table "
                              + t.id()
                              + ": "
                              + t.objectName()
                              + " no longer exists (lease expired?)"))
              .size();
      if (size != t.size()) {
        throw new CorruptionException(
            "cannot commit table "
                + t.id()
                + ": stored size "
                + size
                + " differs from its handle's "
                + t.size());
      }
    }
    long lsn = -1;
    if (ctx.options().lsnExtractor() != null) {
      for (SstMeta t : tables) {
        OptionalLong l = ctx.options().lsnExtractor().extract(t.largestKey());
        if (l.isPresent()) {
          lsn = Math.max(lsn, l.getAsLong());
        }
      }
    }
    long committedLsn = lsn;
    ManifestAppender.Appended a =
        appender.append(
            state -> {
              // The token is checked by append (after every lost race, too). A table that is live
              // although the token is not remembered was committed under another token, or under
              // this one before it left the token history: adding it again is refused by replay.
              for (SstMeta t : tables) {
                if (state.table(t.id()) != null) {
                  throw new IsleException(
                      IsleException.Kind.CONFLICT,
                      "cannot commit table "
                          + t.id()
                          + " under token '"
                          + token
                          + "': it is already live (committed under another token?)");
                }
              }
              long seq = state.lastSeq();
              List<SstMeta> assigned = new ArrayList<>();
              for (SstMeta t : tables) {
                assigned.add(t.withGlobalSeq(++seq));
              }
              return Optional.of(new Edit.AddTables(assigned, seq, committedLsn));
            },
            token);
    Set<String> leases = new HashSet<>();
    handles.forEach(h -> leases.add(SstHandleCodec.lease(h)));
    try {
      ctx.store().deleteAll(leases);
    } catch (IsleException e) {
      // Leases run out by themselves; a leftover one only delays GC of nothing.
    }
    return new CommitResult(a.version(), a.duplicate());
  }
}
