package io.isledb.manifest;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The database state after applying every log edit up to {@link #seq()}: one immutable version.
 * {@link #apply(Edit)} is the single, deterministic rule for what an edit does; authors use it to
 * validate their edit before appending, and every replay uses it again, so all processes agree.
 *
 * <p>Recency order: L0 tables (newest first) are all newer than every sorted run; runs are ordered
 * newest first. A point lookup takes the first version it finds in that order.
 */
@Internal
public final class ManifestState {
  /**
   * Commit tokens remembered for deduplication. Part of the replay rule, so a format constant:
   * never change without a format version bump.
   */
  public static final int TOKEN_HISTORY = 4096;

  private static final ManifestState EMPTY =
      new ManifestState(
          0,
          new EnumMap<>(Role.class),
          0,
          List.of(),
          List.of(),
          Map.of(),
          -1,
          -1,
          1,
          CommitState.EMPTY);

  private final long seq;
  private final Map<Role, Long> fences;
  private final long lastSeq;
  private final List<SstMeta> l0;
  private final List<SortedRun> runs;
  private final Map<String, Long> tokens;
  private final long maxCommittedLsn;
  private final long lowWatermarkLsn;
  private final long nextRunId;
  private final CommitState commits;
  private volatile Map<String, SstMeta> byId;

  ManifestState(
      long seq,
      Map<Role, Long> fences,
      long lastSeq,
      List<SstMeta> l0,
      List<SortedRun> runs,
      Map<String, Long> tokens,
      long maxCommittedLsn,
      long lowWatermarkLsn,
      long nextRunId,
      CommitState commits) {
    this.seq = seq;
    this.fences = fences;
    this.lastSeq = lastSeq;
    this.l0 = l0;
    this.runs = runs;
    this.tokens = tokens;
    this.maxCommittedLsn = maxCommittedLsn;
    this.lowWatermarkLsn = lowWatermarkLsn;
    this.nextRunId = nextRunId;
    this.commits = commits;
  }

  /** The state of a database with no edits (version 0). */
  public static ManifestState empty() {
    return EMPTY;
  }

  /** The version: the log slot of the last edit applied. */
  public long seq() {
    return seq;
  }

  /** The newest epoch of {@code role}, 0 if it never fenced. */
  public long epoch(Role role) {
    return fences.getOrDefault(role, 0L);
  }

  /** All role epochs. */
  public Map<Role, Long> fences() {
    return Collections.unmodifiableMap(fences);
  }

  /** The highest sequence number in use. */
  public long lastSeq() {
    return lastSeq;
  }

  /** L0 tables, newest first. */
  public List<SstMeta> l0() {
    return l0;
  }

  /** Sorted runs, newest first. */
  public List<SortedRun> runs() {
    return runs;
  }

  /** Remembered commit tokens, oldest first, with the version that committed each. */
  public Map<String, Long> tokens() {
    return Collections.unmodifiableMap(tokens);
  }

  /** The version that committed {@code token}, or -1. */
  public long tokenVersion(String token) {
    Long v = tokens.get(token);
    return v == null ? -1 : v;
  }

  /** The highest application LSN committed, or -1 if none is tracked. */
  public long maxCommittedLsn() {
    return maxCommittedLsn;
  }

  /** The application LSN below which retention dropped data, or -1. */
  public long lowWatermarkLsn() {
    return lowWatermarkLsn;
  }

  /** The id the next new sorted run gets. */
  public long nextRunId() {
    return nextRunId;
  }

  /** Commit users' marks and table properties (manifest format 2). */
  public CommitState commits() {
    return commits;
  }

  /** Every live table, L0 first then runs, in recency order. */
  public List<SstMeta> allTables() {
    List<SstMeta> out = new ArrayList<>(l0);
    for (SortedRun r : runs) {
      out.addAll(r.tables());
    }
    return out;
  }

  /** The live table with id {@code id}, or null. */
  public SstMeta table(String id) {
    Map<String, SstMeta> m = byId;
    if (m == null) {
      m = new HashMap<>();
      for (SstMeta t : allTables()) {
        m.put(t.id(), t);
      }
      byId = m;
    }
    return m.get(id);
  }

  /** Total bytes of live tables. */
  public long totalBytes() {
    long s = 0;
    for (SstMeta t : allTables()) {
      s += t.size();
    }
    return s;
  }

  /**
   * The result of applying one edit: the new state, and why the edit was ignored if it was. Ignored
   * edits still consume their log slot: the version advances, the content does not.
   */
  public record Applied(ManifestState state, String rejection) {
    public boolean accepted() {
      return rejection == null;
    }
  }

  /** Applies {@code e} (which must be for slot {@code seq() + 1}). */
  public Applied apply(Edit e) {
    if (e.seq() != seq + 1) {
      throw new CorruptionException(
          "manifest edit for slot " + e.seq() + " applied to version " + seq);
    }
    String why = validate(e);
    if (why != null) {
      return new Applied(withSeqOnly(e.seq()), why);
    }
    if (e.change() instanceof Edit.Restore r) {
      return new Applied(RestoreRule.apply(this, e.seq(), r), null);
    }
    if (e.change() instanceof Edit.Fork f) {
      return new Applied(ForkRule.apply(this, e.seq(), f), null);
    }
    return new Applied(applyValid(e), null);
  }

  /**
   * Whether the database is retired: a fence of {@link Role#RETIRED} was applied. Nothing is
   * applied after it (docs/PROTOCOL.md section 9, "Retired sources").
   */
  public boolean retired() {
    return fences.containsKey(Role.RETIRED);
  }

  /** Why {@code e} would be ignored at this state, or null if it would be applied. */
  public String validate(Edit e) {
    if (retired()) {
      return "the database is retired: no edit is applied after its retirement";
    }
    long current = epoch(e.role());
    if (e.change() instanceof Edit.Fence) {
      return e.epoch() > current
          ? null
          : "fence of " + e.role().id() + " epoch " + e.epoch() + " is not above epoch " + current;
    }
    if (e.epoch() < current) {
      return e.role().id() + " epoch " + e.epoch() + " was fenced by epoch " + current;
    }
    if (e.epoch() > current) {
      return e.role().id() + " epoch " + e.epoch() + " never fenced (newest is " + current + ")";
    }
    if (e.token() != null && tokens.containsKey(e.token())) {
      return "commit token '"
          + e.token()
          + "' already committed at version "
          + tokens.get(e.token());
    }
    if (e.change() instanceof Edit.AddTables a) {
      String why = commits.validate(a);
      return why != null ? why : validateAdd(e.role(), a);
    } else if (e.change() instanceof Edit.Compact c) {
      return validateCompact(e.role(), c);
    } else if (e.change() instanceof Edit.DropTables d) {
      return validateDrop(e.role(), d);
    } else if (e.change() instanceof Edit.Restore r) {
      return RestoreRule.validate(this, e.role(), r);
    } else if (e.change() instanceof Edit.Fork) {
      return ForkRule.validate(this, e.role());
    } else if (e.change() instanceof Edit.RemoveCommitUsers u) {
      return e.role() == Role.WRITER
          ? commits.validateRemove(u)
          : "role " + e.role().id() + " may not remove commit users";
    }
    throw IsleException.internal("unknown change " + e.change());
  }

  private String validateAdd(Role role, Edit.AddTables a) {
    if (role != Role.WRITER) {
      return "role " + role.id() + " may not add tables";
    }
    long floor = lastSeq;
    Set<String> seen = new HashSet<>();
    for (SstMeta t : a.tables()) {
      if (table(t.id()) != null || !seen.add(t.id())) {
        return "table " + t.id() + " is already live";
      }
      if (t.effectiveMinSeq() <= floor) {
        return "table "
            + t.id()
            + " starts at sequence "
            + t.effectiveMinSeq()
            + ", not above "
            + floor;
      }
      floor = t.effectiveMaxSeq();
    }
    if (a.lastSeq() < floor) {
      return "edit lastSeq " + a.lastSeq() + " is below its tables' sequence " + floor;
    }
    return null;
  }

  private String validateCompact(Role role, Edit.Compact c) {
    if (role != Role.COMPACTOR) {
      return "role " + role.id() + " may not compact";
    }
    if (c.inputs().isEmpty()) {
      return "compaction without inputs";
    }
    CompactionSegment seg = CompactionSegment.of(l0, runs, c.inputs());
    if (seg.problem() != null) {
      return seg.problem();
    }
    String below = c.bottommost() ? seg.runBelow(runs) : null;
    if (below != null) {
      return below;
    }
    for (int i = 0; i < c.output().size(); i++) {
      SstMeta t = c.output().get(i);
      if (table(t.id()) != null && !c.inputs().contains(t.id())) {
        return "output table " + t.id() + " is already live";
      }
      if (i > 0 && Bytes.compare(c.output().get(i - 1).largestKey(), t.smallestKey()) >= 0) {
        return "output tables " + c.output().get(i - 1).id() + " and " + t.id() + " overlap";
      }
    }
    return null;
  }

  private String validateDrop(Role role, Edit.DropTables d) {
    if (role != Role.RETENTION) {
      return "role " + role.id() + " may not drop tables";
    }
    for (String id : d.ids()) {
      if (table(id) == null) {
        return "table " + id + " to drop is not live";
      }
    }
    return null;
  }

  private ManifestState withSeqOnly(long newSeq) {
    return new ManifestState(
        newSeq,
        fences,
        lastSeq,
        l0,
        runs,
        tokens,
        maxCommittedLsn,
        lowWatermarkLsn,
        nextRunId,
        commits);
  }

  private ManifestState applyValid(Edit e) {
    Map<Role, Long> f = fences;
    List<SstMeta> newL0 = l0;
    List<SortedRun> newRuns = runs;
    long newLastSeq = lastSeq;
    long maxLsn = maxCommittedLsn;
    long lowLsn = lowWatermarkLsn;
    long runId = nextRunId;
    CommitState cs = commits;
    if (e.change() instanceof Edit.Fence) {
      EnumMap<Role, Long> copy = new EnumMap<>(Role.class);
      copy.putAll(fences);
      copy.put(e.role(), e.epoch());
      f = copy;
    } else if (e.change() instanceof Edit.AddTables a) {
      List<SstMeta> l = new ArrayList<>(a.tables().size() + l0.size());
      for (int i = a.tables().size() - 1; i >= 0; i--) {
        l.add(a.tables().get(i));
      }
      l.addAll(l0);
      newL0 = List.copyOf(l);
      newLastSeq = Math.max(lastSeq, a.lastSeq());
      maxLsn = Math.max(maxLsn, a.committedLsn());
      cs = commits.apply(a, e.seq());
    } else if (e.change() instanceof Edit.Compact c) {
      CompactionSegment seg = CompactionSegment.of(l0, runs, c.inputs());
      SortedRun out = c.output().isEmpty() ? null : new SortedRun(runId++, c.output());
      List<SstMeta> l = new ArrayList<>(l0);
      if (seg.firstL0() >= 0) {
        l.subList(seg.firstL0(), seg.lastL0() + 1).clear();
      }
      List<SortedRun> r = new ArrayList<>(runs);
      int at = seg.firstL0() >= 0 ? 0 : seg.firstRun();
      if (seg.firstRun() >= 0) {
        r.subList(seg.firstRun(), seg.lastRun() + 1).clear();
      }
      if (out != null) {
        r.add(at, out);
      }
      newL0 = List.copyOf(l);
      newRuns = List.copyOf(r);
    } else if (e.change() instanceof Edit.DropTables d) {
      Set<String> drop = new HashSet<>(d.ids());
      List<SstMeta> l = new ArrayList<>();
      for (SstMeta t : l0) {
        if (!drop.contains(t.id())) {
          l.add(t);
        }
      }
      List<SortedRun> r = new ArrayList<>();
      for (SortedRun run : runs) {
        List<SstMeta> keep = new ArrayList<>();
        for (SstMeta t : run.tables()) {
          if (!drop.contains(t.id())) {
            keep.add(t);
          }
        }
        if (keep.size() == run.tables().size()) {
          r.add(run);
        } else if (!keep.isEmpty()) {
          r.add(new SortedRun(run.id(), keep));
        }
      }
      newL0 = List.copyOf(l);
      newRuns = List.copyOf(r);
      lowLsn = Math.max(lowLsn, d.lowWatermarkLsn());
    } else if (e.change() instanceof Edit.RemoveCommitUsers u) {
      cs = commits.remove(u.users());
    }
    Map<String, Long> tk = tokens;
    if (e.token() != null) {
      LinkedHashMap<String, Long> copy = new LinkedHashMap<>(tokens);
      copy.put(e.token(), e.seq());
      while (copy.size() > TOKEN_HISTORY) {
        copy.remove(copy.keySet().iterator().next());
      }
      tk = copy;
    }
    return new ManifestState(e.seq(), f, newLastSeq, newL0, newRuns, tk, maxLsn, lowLsn, runId, cs);
  }

  /** Builds a state read from a snapshot; validates structure. */
  static ManifestState fromSnapshot(
      long seq,
      Map<Role, Long> fences,
      long lastSeq,
      List<SstMeta> l0,
      List<SortedRun> runs,
      Map<String, Long> tokens,
      long maxCommittedLsn,
      long lowWatermarkLsn,
      long nextRunId,
      CommitState commits) {
    EnumMap<Role, Long> f = new EnumMap<>(Role.class);
    f.putAll(fences);
    for (SortedRun r : runs) {
      String problem = r.checkOrder();
      if (problem != null) {
        throw new CorruptionException("snapshot " + seq + ": " + problem);
      }
    }
    return new ManifestState(
        seq,
        f,
        lastSeq,
        List.copyOf(l0),
        List.copyOf(runs),
        new LinkedHashMap<>(tokens),
        maxCommittedLsn,
        lowWatermarkLsn,
        nextRunId,
        commits);
  }
}
