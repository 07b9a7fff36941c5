package io.isledb.db;

import io.isledb.CommitResult;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
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
 */
public final class ExternalCommit {
  private ExternalCommit() {}

  /** Commits through {@code appender}, which holds the writer role. Caller serializes appends. */
  public static CommitResult commit(
      DbContext ctx, ManifestAppender appender, List<SstHandle> handles, String token) {
    if (handles == null || handles.isEmpty()) {
      throw IsleException.invalidArgument("nothing to commit: no SST handles");
    }
    if (token != null && token.isEmpty()) {
      throw IsleException.invalidArgument("commit token must be null or non-empty");
    }
    List<SstMeta> tables = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (SstHandle h : handles) {
      if (!ids.add(h.tableId())) {
        throw IsleException.invalidArgument(
            "table " + h.tableId() + " is listed twice in one commit");
      }
      tables.add(h.meta());
    }
    appender.refresh();
    if (token != null) {
      long v = appender.head().tokenVersion(token);
      if (v >= 0) {
        return new CommitResult(v, true);
      }
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
              if (state.table(tables.get(0).id()) != null) {
                return Optional.empty();
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
    handles.forEach(h -> leases.add(h.lease()));
    try {
      ctx.store().deleteAll(leases);
    } catch (IsleException e) {
      // Leases run out by themselves; a leftover one only delays GC of nothing.
    }
    return new CommitResult(a.version(), a.duplicate());
  }
}
