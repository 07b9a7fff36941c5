package io.isledb.db.write;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.UploadExpiredException;
import io.isledb.db.DbContext;
import io.isledb.manifest.CommitState;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
@Internal
public final class ExternalCommit {
  private ExternalCommit() {}

  /**
   * What identifies a commit: a commit token (format 1, deduplicated within the token history), or
   * a commit user and identifier (a monotone high-water mark, deduplicated forever), with table
   * properties to set in the same edit; or the removal of a commit user's mark ({@code remove}).
   */
  public record Request(
      String token,
      String commitUser,
      long identifier,
      Map<String, String> properties,
      boolean remove) {
    /** A commit identified by its token. */
    public static Request token(String token) {
      return new Request(token, null, 0, Map.of(), false);
    }

    /** A commit of {@code commitUser}'s {@code identifier}, setting {@code properties}. */
    public static Request user(String commitUser, long identifier, Map<String, String> properties) {
      return new Request(null, commitUser, identifier, properties, false);
    }

    /** The removal of {@code commitUser}'s mark. */
    public static Request removal(String commitUser) {
      return new Request(null, commitUser, 0, Map.of(), true);
    }

    /** The earlier commit this request replays at {@code state}, if it is one. */
    Optional<CommitResult> earlier(ManifestState state) {
      if (remove) {
        // Nothing to remove (never committed, or removed already): the current version.
        return state.commits().users().containsKey(commitUser)
            ? Optional.empty()
            : Optional.of(new CommitResult(state.seq(), true));
      }
      if (token != null) {
        long v = state.tokenVersion(token);
        return v >= 0 ? Optional.of(new CommitResult(v, true)) : Optional.empty();
      }
      CommitMark m = state.commits().users().get(commitUser);
      return m != null && identifier <= m.identifier()
          ? Optional.of(new CommitResult(m.version(), true))
          : Optional.empty();
    }
  }

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
    checkHandles(handles);
  }

  /**
   * Checks a commit by a commit user: like {@link #checkArguments(List, String)}, but the handle
   * list may be empty (a commit that only records the identifier, or only sets properties).
   */
  public static void checkArguments(List<SstHandle> handles, Request request) {
    if (request.token() != null) {
      checkArguments(handles, request.token());
      return;
    }
    if (handles == null) {
      throw IsleException.invalidArgument("SST handle list is null");
    }
    if (request.remove() && !handles.isEmpty()) {
      throw IsleException.internal("removal of a commit user with tables", null);
    }
    CommitState.checkCommitUser(request.commitUser(), request.identifier());
    CommitState.checkProperties(request.properties());
    checkHandles(handles);
  }

  private static void checkHandles(List<SstHandle> handles) {
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
  public static Optional<CommitResult> alreadyCommitted(DbContext ctx, Request request) {
    return request.earlier(ctx.manifest().loadLatest());
  }

  /**
   * Commits table properties alone (no tables) through {@code appender}, which holds the writer
   * role, and returns the version. Caller serializes appends.
   */
  public static long commitProperties(ManifestAppender appender, Map<String, String> properties) {
    return appender
        .append(
            state -> {
              state.commits().checkRoom(null, properties);
              return Optional.of(
                  new Edit.AddTables(List.of(), state.lastSeq(), -1, null, 0, properties));
            },
            null)
        .version();
  }

  /** Removes a commit user's mark through {@code appender} (writer role); see {@link #commit}. */
  private static CommitResult remove(ManifestAppender appender, Request request) {
    CommitResult[] nothing = new CommitResult[1];
    ManifestAppender.Appended a =
        appender.append(
            state -> {
              Optional<CommitResult> gone = request.earlier(state);
              if (gone.isPresent()) {
                nothing[0] = gone.get();
                return Optional.empty();
              }
              return Optional.of(new Edit.RemoveCommitUsers(List.of(request.commitUser())));
            },
            null);
    return nothing[0] != null ? nothing[0] : new CommitResult(a.version(), false);
  }

  /** Commits through {@code appender}, which holds the writer role. Caller serializes appends. */
  public static CommitResult commit(
      DbContext ctx, ManifestAppender appender, List<SstHandle> handles, String token) {
    return commit(ctx, appender, handles, Request.token(token));
  }

  /**
   * Commits {@code request} through {@code appender}, which holds the writer role. The replay check
   * (token or commit user mark) runs against the state the edit lands on, again after every lost
   * race: a replay, or a retry of an edit that landed although its response was lost, appends
   * nothing and returns the version that committed it. Caller serializes appends.
   */
  public static CommitResult commit(
      DbContext ctx, ManifestAppender appender, List<SstHandle> handles, Request request) {
    checkArguments(handles, request);
    if (request.remove()) {
      return remove(appender, request);
    }
    String token = request.token();
    List<SstMeta> tables = new ArrayList<>();
    for (SstHandle h : handles) {
      tables.add(SstHandleCodec.meta(h));
    }
    appender.refresh();
    Optional<CommitResult> replay = request.earlier(appender.head());
    if (replay.isPresent()) {
      return replay.get();
    }
    // A table GC already collected (its lease ran out) must not be published.
    for (SstMeta t : tables) {
      long size =
          ctx.store()
              .stat(t.objectName())
              .orElseThrow(
                  () ->
                      new UploadExpiredException(
                          "cannot commit table "
                              + t.id()
                              + ": "
                              + t.objectName()
                              + " no longer exists: it was not committed before its lease"
                              + " (SstWriterOptions.leaseTtl, at least the GC grace period) ran"
                              + " out, and GC collected it"))
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
    CommitResult[] landed = new CommitResult[1];
    ManifestAppender.Appended a =
        appender.append(
            state -> {
              // The commit user's mark, checked against exactly the state the edit lands on.
              Optional<CommitResult> earlier = request.earlier(state);
              if (earlier.isPresent()) {
                landed[0] = earlier.get();
                return Optional.empty();
              }
              if (token == null) {
                state.commits().checkRoom(request.commitUser(), request.properties());
              }
              // The token is checked by append (after every lost race, too). A table that is live
              // although the token is not remembered was committed under another token, or under
              // this one before it left the token history: adding it again is refused by replay.
              for (SstMeta t : tables) {
                if (state.table(t.id()) != null) {
                  throw new IsleException(
                      IsleException.Kind.CONFLICT,
                      "cannot commit table "
                          + t.id()
                          + " under "
                          + (token != null
                              ? "token '" + token + "'"
                              : "commit user '" + request.commitUser() + "'")
                          + ": it is already live (committed under another token or user?)");
                }
              }
              long seq = state.lastSeq();
              List<SstMeta> assigned = new ArrayList<>();
              for (SstMeta t : tables) {
                assigned.add(t.withGlobalSeq(++seq));
              }
              return Optional.of(
                  new Edit.AddTables(
                      assigned,
                      seq,
                      committedLsn,
                      request.commitUser(),
                      request.identifier(),
                      request.properties()));
            },
            token);
    if (landed[0] != null) {
      return landed[0];
    }
    Set<String> leases = new HashSet<>();
    handles.forEach(h -> leases.add(SstHandleCodec.lease(h)));
    try {
      if (!leases.isEmpty()) {
        ctx.manifestStore().deleteAll(leases);
      }
    } catch (IsleException e) {
      // Leases run out by themselves; a leftover one only delays GC of nothing.
    }
    return new CommitResult(a.version(), a.duplicate());
  }
}
