package io.isledb.manifest;

import io.isledb.util.Internal;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One manifest log entry, stored as {@code manifest/log/<seq>.json}. Creating that object (if
 * absent) is the commit: the linearization point of every change to the database.
 *
 * @param seq the log slot, which is also the version number this edit produces
 * @param role the role of the author
 * @param epoch the author's fence epoch for its role
 * @param author a unique id of the authoring instance (makes every edit's bytes unique, so a lost
 *     response is told apart from a lost race)
 * @param timeMillis the author's clock when it wrote the edit
 * @param token optional commit token; an edit whose token was already committed is ignored
 * @param change what the edit does
 */
@Internal
public record Edit(
    long seq, Role role, long epoch, String author, long timeMillis, String token, Change change) {

  public Edit {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(change, "change");
  }

  /** The same edit for another log slot (after losing a race). */
  public Edit atSeq(long newSeq) {
    return new Edit(newSeq, role, epoch, author, timeMillis, token, change);
  }

  /** What an edit changes. Type ids (in {@code ManifestCodec}) are persisted. */
  public sealed interface Change
      permits Fence, AddTables, Compact, DropTables, Restore, RemoveCommitUsers, Fork {}

  /** Claims epoch {@code epoch} of the role; older epochs of that role can no longer commit. */
  public record Fence() implements Change {}

  /**
   * Adds tables to L0 (flushes and external commits). {@code tables} are listed oldest first.
   *
   * @param lastSeq the highest sequence number in use after this edit
   * @param committedLsn the application LSN committed by this edit, or -1
   * @param commitUser the commit user whose high-water mark this edit raises, or null (format 2)
   * @param commitId the identifier it commits for {@code commitUser} (0 without a user); the replay
   *     rule ignores the edit unless it is above the user's mark
   * @param properties table properties set by this edit (merged into the state's), possibly empty
   *     (format 2)
   */
  public record AddTables(
      List<SstMeta> tables,
      long lastSeq,
      long committedLsn,
      String commitUser,
      long commitId,
      Map<String, String> properties)
      implements Change {
    public AddTables {
      tables = List.copyOf(tables);
      properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** A plain add: no commit user, no properties (the only form of manifest format 1). */
    public AddTables(List<SstMeta> tables, long lastSeq, long committedLsn) {
      this(tables, lastSeq, committedLsn, null, 0, Map.of());
    }

    /** Whether it uses a field of manifest format 2 (a commit user or properties). */
    public boolean extended() {
      return commitUser != null || !properties.isEmpty();
    }
  }

  /**
   * Replaces input tables (whole L0 tables and whole runs, contiguous in recency order) by one new
   * sorted run at their place.
   *
   * @param inputs ids of every input table
   * @param output tables of the new run, in key order (may be empty)
   * @param bottommost whether the compactor took its inputs for the bottom of the tree and dropped
   *     deletions and expired entries: the replay rule then refuses the edit unless its inputs are
   *     still the oldest tables (manifest format 3; false in every older edit)
   */
  public record Compact(List<String> inputs, List<SstMeta> output, boolean bottommost)
      implements Change {
    public Compact {
      inputs = List.copyOf(inputs);
      output = List.copyOf(output);
    }

    /** A compaction that kept deletions and expired entries (the only form before format 3). */
    public Compact(List<String> inputs, List<SstMeta> output) {
      this(inputs, output, false);
    }
  }

  /**
   * Drops whole tables (retention).
   *
   * @param ids tables to drop
   * @param lowWatermarkLsn the application LSN below which data is gone, or -1
   */
  public record DropTables(List<String> ids, long lowWatermarkLsn) implements Change {
    public DropTables {
      ids = List.copyOf(ids);
    }
  }

  /**
   * Removes commit users' marks (writer role; {@code IsleDB.removeCommitUser}). The replay rule
   * ignores it unless every user named has a mark. A removed user's next commit starts a fresh
   * mark: any identifier is accepted again.
   *
   * @param users the commit users removed, at least one
   */
  public record RemoveCommitUsers(List<String> users) implements Change {
    public RemoveCommitUsers {
      users = List.copyOf(users);
    }
  }

  /**
   * Rolls the database back to an earlier version (a writer restored to a pin): the tables and
   * commit bookkeeping become those of {@code state}; fences stay, sequence numbers keep increasing
   * (replay rule in {@code RestoreRule}).
   *
   * @param state the folded state of the restored version (its {@code seq} is that version)
   */
  public record Restore(ManifestState state) implements Change {
    public Restore {
      Objects.requireNonNull(state, "state");
    }

    /** The version restored. */
    public long version() {
      return state.seq();
    }
  }

  /**
   * The first version of a fork (docs/PROTOCOL.md section 9): the tables (borrowed from sources,
   * clipped), {@code lastSeq}, table properties and sources of {@code state} become the database's.
   * Applied only by the writer on a database with no table, no sequence number and no source
   * (replay rule in {@code ForkRule}).
   *
   * @param state the fork's folded state (its {@code seq} is not used)
   */
  public record Fork(ManifestState state) implements Change {
    public Fork {
      Objects.requireNonNull(state, "state");
    }
  }
}
