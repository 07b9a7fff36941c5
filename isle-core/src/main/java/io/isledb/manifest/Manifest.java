package io.isledb.manifest;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The manifest of one database: reads and writes its log edits, snapshots and CURRENT through a
 * {@link ManifestStore}, and folds them into {@link ManifestState}s. It holds no state of its own
 * and is the same whatever the store; see docs/PROTOCOL.md for the rules it implements.
 */
@Internal
public final class Manifest {
  /** Log edits read per {@link ManifestStore#readLogRange} call while catching up. */
  private static final int RANGE = 32;

  private final ManifestStore store;

  public Manifest(ManifestStore store) {
    this.store = store;
  }

  /** The manifest of a database whose manifest is kept on its object store (the default). */
  public Manifest(ObjectStore store) {
    this(new ObjectStoreManifestStore(store));
  }

  /** Where the manifest objects live. */
  public ManifestStore store() {
    return store;
  }

  /**
   * The edit in slot {@code seq}, or empty if that slot is free (or was garbage collected). An
   * empty object counts as not written yet: on ABFS a create claims the name before its bytes are
   * committed at close, so a slot can be briefly (or, if its writer died, permanently) empty.
   */
  public Optional<Edit> readEdit(long seq) {
    return store.readLog(seq).filter(b -> b.length > 0).map(b -> decodeEdit(seq, b));
  }

  /**
   * Tries to take slot {@code e.seq()}: true if this edit now occupies it (including when an
   * earlier attempt's response was lost), false if another edit holds it.
   */
  public boolean tryAppend(Edit e) {
    return store.appendIfAbsent(e.seq(), ManifestCodec.encodeEdit(e));
  }

  private Edit decodeEdit(long seq, byte[] b) {
    return ManifestCodec.decodeEdit(store.location() + "/" + ManifestPaths.log(seq), seq, b);
  }

  /** The snapshot of version {@code seq}, or empty if absent. */
  public Optional<ManifestState> readSnapshot(long seq) {
    String name = ManifestPaths.snapshot(seq);
    return store
        .get(name)
        .map(b -> ManifestCodec.decodeSnapshot(store.location() + "/" + name, seq, b));
  }

  /** Writes a snapshot of {@code s} unless one exists for that version already. */
  public void writeSnapshot(ManifestState s, long timeMillis) {
    store.createIfAbsent(
        ManifestPaths.snapshot(s.seq()), ManifestCodec.encodeSnapshot(s, timeMillis));
  }

  /** The CURRENT hint, or empty. A corrupt CURRENT is ignored: it is only a hint. */
  public Optional<ManifestCodec.Current> readCurrent() {
    Optional<byte[]> b = store.get(ManifestPaths.CURRENT);
    if (b.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestCodec.decodeCurrent(ManifestPaths.CURRENT, b.get()));
    } catch (CorruptionException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the log right after version {@code seq} was collected, so that its free slot is not the
   * end of the log. Every CURRENT written since slot {@code seq + 1} was created names at least
   * that slot: GC writes CURRENT at its head, and every author after its own append. (CURRENT's
   * snapshot alone is not enough: authors with an LSN extractor rewrite CURRENT after every edit
   * naming the last snapshot they wrote themselves, which can be older than the one GC collected up
   * to.) So a CURRENT naming a head (or snapshot) beyond {@code seq} while slot {@code seq + 1} is
   * free proves the collection.
   *
   * <p>The converse does not hold: CURRENT can be missing (ABFS replaces it by delete then rename),
   * unreadable, or older than what GC collected (a rewrite sent by a stalled author that lands
   * late), and without an LSN extractor it is legitimately behind the head most of the time. This
   * fails closed: when CURRENT does not prove the collection, the snapshots are listed. GC deletes
   * log slots only at or below a snapshot it keeps (it deletes only snapshots below that one), so a
   * collected slot {@code seq + 1} always leaves a snapshot beyond {@code seq}; while slot {@code
   * seq + 1} still exists, a snapshot beyond it is simply a newer one. The slot is read again after
   * CURRENT (and the listing), since an edit appended in between is not a collected one.
   *
   * <p>Cost: one read of CURRENT; one LIST page of snapshots when CURRENT is not ahead of {@code
   * seq}; one read of the slot when either is. Callers only ask once their confirmation of the end
   * of the log is older than their freshness window.
   */
  public boolean leftBehind(long seq) {
    return leftBehind(seq, null);
  }

  /**
   * Like {@link #leftBehind(long)} for a caller that has just listed the snapshots itself (GC lists
   * them on every pass). A listing taken after the caller's catch-up decides alone, without
   * CURRENT: a collected slot {@code seq + 1} always leaves a snapshot beyond {@code seq}, so when
   * the listing has none the slot is not a collected one. Cost: nothing more, or one read of the
   * slot when the listing has a snapshot beyond {@code seq}.
   */
  public boolean leftBehindListed(long seq, List<Long> listedSnapshots) {
    return leftBehind(seq, listedSnapshots);
  }

  private boolean leftBehind(long seq, List<Long> listedSnapshots) {
    if (listedSnapshots != null) {
      return !listedSnapshots.isEmpty()
          && listedSnapshots.get(listedSnapshots.size() - 1) > seq
          && readEdit(seq + 1).isEmpty();
    }
    Optional<ManifestCodec.Current> c = readCurrent();
    boolean ahead = c.isPresent() && Math.max(c.get().snapshotSeq(), c.get().headSeq()) > seq;
    if (!ahead) {
      List<Long> snaps = listSnapshots();
      if (snaps.isEmpty() || snaps.get(snaps.size() - 1) <= seq) {
        return false;
      }
    }
    return readEdit(seq + 1).isEmpty();
  }

  /** Replaces the CURRENT hint. */
  public void writeCurrent(ManifestCodec.Current c) {
    store.put(ManifestPaths.CURRENT, ManifestCodec.encodeCurrent(c));
  }

  /** Versions that have snapshots, ascending. */
  public List<Long> listSnapshots() {
    return listSeqs(ManifestPaths.SNAPSHOT_DIR);
  }

  /** Slots that hold log edits, ascending. */
  public List<Long> listLog() {
    return listSeqs(ManifestPaths.LOG_DIR);
  }

  private List<Long> listSeqs(String dir) {
    List<Long> out = new ArrayList<>();
    for (ObjectInfo o : store.list(dir)) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Applies every edit after {@code state} until the first free slot. A reader that is up to date
   * pays one read request (the free slot).
   */
  public ManifestState catchUp(ManifestState state) {
    return catchUp(state, Long.MAX_VALUE);
  }

  /** Like {@link #catchUp(ManifestState)} but stops at version {@code upTo}. */
  public ManifestState catchUp(ManifestState state, long upTo) {
    return catchUp(state, upTo, e -> {});
  }

  /** Like {@link #catchUp(ManifestState, long)}, showing every edit read to {@code onEdit}. */
  public ManifestState catchUp(
      ManifestState state, long upTo, java.util.function.Consumer<Edit> onEdit) {
    ManifestState s = state;
    while (s.seq() < upTo) {
      long from = s.seq() + 1;
      List<byte[]> edits = store.readLogRange(from, (int) Math.min(RANGE, upTo - s.seq()));
      for (int i = 0; i < edits.size(); i++) {
        Edit e = decodeEdit(from + i, edits.get(i));
        onEdit.accept(e);
        s = s.apply(e).state();
      }
      if (edits.size() < Math.min(RANGE, upTo - from + 1)) {
        break; // a free slot ended the range
      }
    }
    return s;
  }

  /**
   * Loads the newest version from scratch: the snapshot CURRENT names (or the newest listed), then
   * the log after it. Costs one CURRENT read, one snapshot read and the log tail.
   */
  public ManifestState loadLatest() {
    Optional<ManifestCodec.Current> current = readCurrent();
    if (current.isPresent() && current.get().snapshotSeq() > 0) {
      Optional<ManifestState> snap = readSnapshot(current.get().snapshotSeq());
      if (snap.isPresent()) {
        ManifestState s = catchUp(snap.get());
        long past = Math.max(current.get().headSeq(), current.get().snapshotSeq());
        if (past <= s.seq()) {
          return s; // the usual case: CURRENT's head is at or behind the true head; no request
        }
        if (readEdit(s.seq() + 1).isPresent()) {
          return catchUp(s); // an edit appeared meanwhile
        }
        // The log ended before CURRENT's head: the snapshot CURRENT names is older than what GC
        // collected (its snapshot field can lag, see leftBehind). Start from the newest snapshot.
      }
    }
    return checkNotStranded(catchUp(baseFor(Long.MAX_VALUE)), Long.MAX_VALUE);
  }

  /**
   * Loads the newest version without trusting CURRENT: the newest listed snapshot, then the log
   * after it. For a process that found itself {@linkplain #leftBehind left behind}: the CURRENT
   * that misled it (missing, or moved backwards to a snapshot that still exists) would mislead
   * {@link #loadLatest} the same way. Costs a LIST of snapshots, one snapshot read and the log
   * tail.
   */
  public ManifestState loadLatestListed() {
    return loadLatestListedFromSnapshot().state();
  }

  /**
   * {@link #loadLatestListed}, with the slot of the snapshot the load started from (0 without one),
   * so that an appender counts its snapshot schedule from the newest snapshot rather than from its
   * own open: sessions shorter than {@code snapshotEvery} edits would otherwise never write one,
   * and every later open would replay a log tail that grows with each session.
   */
  public Listed loadLatestListedFromSnapshot() {
    // Both listings at once, then the newest snapshot and the log after it at once: two round
    // trips where one after the other took four (plus the tail's). The listings may see the log at
    // slightly different moments; whatever they show, the state is the head at some moment during
    // the load, as with one listing after the other (an append after it is met by the appender's
    // next take). Anything unusual takes the one-after-the-other path below.
    CompletableFuture<List<Long>> logListing = MetadataReads.start(this::listLog);
    List<Long> snaps = listSnapshots();
    List<Long> log = MetadataReads.join(logListing);
    long newest = snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1);
    List<Long> slots = LogTail.consecutiveAfter(log, newest, Long.MAX_VALUE);
    boolean gap = slots.isEmpty() && !log.isEmpty() && log.get(log.size() - 1) > newest;
    if (!gap) {
      CompletableFuture<Optional<ManifestState>> snapshot =
          newest == 0
              ? CompletableFuture.completedFuture(Optional.of(ManifestState.empty()))
              : MetadataReads.start(() -> readSnapshot(newest));
      List<byte[]> edits = slots.isEmpty() ? List.of() : LogTail.read(store, slots);
      Optional<ManifestState> base = MetadataReads.join(snapshot);
      if (base.isPresent()) {
        ManifestState s = base.get();
        for (int i = 0; i < edits.size(); i++) {
          s = s.apply(decodeEdit(slots.get(i), edits.get(i))).state();
        }
        s = edits.size() < slots.size() ? catchUp(s) : s;
        return new Listed(checkNotStranded(s, Long.MAX_VALUE), newest);
      }
    }
    // The newest snapshot was collected since the listing (a newer one exists), or the log listed
    // has slots after it but not the next one: list again, one after the other.
    ManifestState base = baseFor(Long.MAX_VALUE);
    return new Listed(checkNotStranded(catchUpListed(base), Long.MAX_VALUE), base.seq());
  }

  /**
   * {@link #catchUp(ManifestState)} for an open: one LIST of the log shows the edits after {@code
   * base}, which are then read concurrently ({@link LogTail}) instead of one round trip each. The
   * listing reflects every append that returned before it, so the state is the head at that moment
   * and needs no read of the free slot after it (an append after the listing is met by the
   * appender's next take, as with any head that moved on). A slot listed but found collected or
   * empty ends the tail there; the one-by-one catch-up then decides, as before.
   */
  private ManifestState catchUpListed(ManifestState base) {
    List<Long> slots = LogTail.consecutiveAfter(listLog(), base.seq(), Long.MAX_VALUE);
    if (slots.isEmpty()) {
      return base;
    }
    List<byte[]> edits = LogTail.read(store, slots);
    ManifestState s = base;
    for (int i = 0; i < edits.size(); i++) {
      s = s.apply(decodeEdit(slots.get(i), edits.get(i))).state();
    }
    return edits.size() < slots.size() ? catchUp(s) : s;
  }

  /** A loaded head and the slot of the snapshot it was replayed from (0 without one). */
  public record Listed(ManifestState state, long snapshotSeq) {}

  /**
   * A replay from nothing that found no slot 1 must mean an empty log, not a collected one. Log
   * edits without slot 1 or a snapshot are corruption, with one innocent explanation: a database
   * being created right now. Its first edit (or first snapshot) can appear between our read of the
   * free slot 1 and the listing, so look once more before calling it corrupt.
   */
  private ManifestState checkNotStranded(ManifestState s, long upTo) {
    if (s.seq() != 0 || upTo == 0 || listLog().isEmpty()) {
      return s;
    }
    ManifestState again = catchUp(baseFor(upTo), upTo);
    if (again.seq() == 0) {
      throw new CorruptionException(
          "manifest at " + store.location() + " has log edits but neither slot 1 nor a snapshot");
    }
    return again;
  }

  /**
   * The state at exactly version {@code version}, rebuilt from the newest snapshot at or below it
   * and the log after that snapshot.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if that version is no longer retained or does
   *     not exist yet
   */
  public ManifestState loadVersion(long version) {
    if (version < 0) {
      throw IsleException.invalidArgument("version " + version + " must not be negative");
    }
    ManifestState base;
    try {
      base = baseFor(version);
    } catch (CorruptionException e) {
      throw IsleException.invalidArgument(
          "version "
              + version
              + " is no longer retained at "
              + store.location()
              + " ("
              + e.getMessage()
              + ")");
    }
    ManifestState s = catchUpTo(base, version);
    if (s.seq() == version) {
      return s;
    }
    // The replay stopped short. If the manifest holds anything past the version, the edits up to
    // it were collected; otherwise the version does not exist (yet).
    List<Long> snaps = listSnapshots();
    List<Long> log = listLog();
    long newest =
        Math.max(
            snaps.isEmpty() ? -1 : snaps.get(snaps.size() - 1),
            log.isEmpty() ? -1 : log.get(log.size() - 1));
    if (newest >= version) {
      ManifestState again = catchUp(s, version); // an append racing with our first read
      if (again.seq() == version) {
        return again;
      }
      throw IsleException.invalidArgument(
          "version "
              + version
              + " is no longer retained at "
              + store.location()
              + " (the log continues only from "
              + (log.isEmpty() ? "snapshot " + snaps.get(snaps.size() - 1) : "slot " + log.get(0))
              + "; pin a version to keep it)");
    }
    s = checkNotStranded(s, version);
    if (s.seq() != version) {
      throw IsleException.invalidArgument(
          "version "
              + version
              + " is not available at "
              + store.location()
              + " (log ends at "
              + s.seq()
              + ")");
    }
    return s;
  }

  /**
   * {@link #catchUp(ManifestState, long)} when the slots are known ({@code base}'s next up to
   * {@code version}): they are read concurrently ({@link LogTail}) instead of one round trip each
   * (a fork or reader opening a pinned version replays up to {@code snapshotEvery} edits). A slot
   * found free or collected ends the replay there, as one by one.
   */
  private ManifestState catchUpTo(ManifestState base, long version) {
    if (version - base.seq() < 2) {
      return catchUp(base, version);
    }
    List<Long> slots = new ArrayList<>();
    for (long seq = base.seq() + 1; seq <= version && slots.size() < RANGE; seq++) {
      slots.add(seq);
    }
    List<byte[]> edits = LogTail.read(store, slots);
    ManifestState s = base;
    for (int i = 0; i < edits.size(); i++) {
      s = s.apply(decodeEdit(slots.get(i), edits.get(i))).state();
    }
    return edits.size() < slots.size() || s.seq() == version ? s : catchUpTo(s, version);
  }

  /** The newest snapshot at or below {@code version}, or the empty state if the log starts at 1. */
  private ManifestState baseFor(long version) {
    List<Long> snaps = listSnapshots();
    for (int i = snaps.size() - 1; i >= 0; i--) {
      long seq = snaps.get(i);
      if (seq <= version) {
        Optional<ManifestState> s = readSnapshot(seq);
        if (s.isPresent()) {
          return s.get();
        }
      }
    }
    return ManifestState.empty();
  }
}
