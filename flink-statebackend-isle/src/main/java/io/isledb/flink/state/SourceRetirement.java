package io.isledb.flink.state;

import io.isledb.IsleDB;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SnapshotType;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retirement of the old subtasks' databases after a restore by fork whose checkpoint this job owns
 * (CLAIM, or a rescale of the job's own checkpoint), and the GC passes that then delete them whole
 * (docs/flink-statebackend.md "Retiring the old databases", docs/PROTOCOL.md section 9 "Retired
 * sources").
 *
 * <p>The backend cannot ask Flink for the claim mode, but the JobManager shows it: after restoring
 * a snapshot it does not own (NO_CLAIM) it takes full checkpoints ({@code FULL_CHECKPOINT}, no
 * shared files) until the first one completes, and a savepoint is never a regular checkpoint. So
 * the restore was claimed iff no checkpoint this database took since the fork was anything but a
 * regular checkpoint when the first one completes. Then, and only then, the sources are retired: no
 * writer of theirs can ever commit again, readers and pins keep working, and each source's GC
 * deletes it whole once no pin is left (the old checkpoints discarded by Flink, the forks' pins
 * released by the forks' GC after compaction rewrote what they borrowed).
 *
 * <p>Only checkpoints (pin {@code chk-*}) are candidates, never savepoints (a savepoint pins the
 * live database of a job that may still run), and only on this backend's store. Each old database
 * is handled by the one new subtask whose range holds its first key group, so every source has
 * exactly one retirer and GC runner; {@link IsleDB#retire} is idempotent anyway.
 *
 * <p>What is left to do is a record of the new database ({@link #KEY}, outside every key group,
 * never forked), written at every checkpoint's cut, so a restored attempt of this subtask carries
 * on: it reopens one of its own completed checkpoints, and when that checkpoint's record shows no
 * sign of an unclaimed restore, the claim is decided. Task thread only, except the completion of GC
 * passes (which only marks sources gone).
 */
final class SourceRetirement implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceRetirement.class);

  /** The record of the sources still to retire or delete; key group 0xFFFF is never a real one. */
  static final byte[] KEY = {(byte) 0xFF, (byte) 0xFF, 'r', 'e', 't', 'i', 'r', 'e'};

  /** 1: the flag and the sources; 2 adds the sources to scan and the abandoned forks. */
  private static final int FORMAT = 2;

  /** Completed checkpoints between two probes of whether a retired source is gone yet. */
  static final int PROBE_EVERY = 16;

  /** Nothing to retire (a new database, a same-range restore without a record). */
  static final SourceRetirement NONE = new SourceRetirement(null, null, null, List.of(), false);

  private final StateDb db;
  private final Maintenance maintenance;
  private final KeyGroupRange range; // the key groups of this backend
  private final List<String> pending; // source prefixes not known to be deleted yet
  private final List<String> scan = new ArrayList<>(); // sources to scan for abandoned forks
  private final List<String> abandoned = new ArrayList<>(); // abandoned forks not deleted yet
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  private final TreeMap<Long, Boolean> regular = new TreeMap<>(); // checkpoint id -> regular
  private final Map<String, SourceGc> collectors = new LinkedHashMap<>();
  private boolean unclaimed; // a checkpoint since the fork was not a regular one
  private boolean claimed;
  private int completions;
  private boolean closed;
  private boolean recorded; // the database holds the record (as of this attempt's writes)

  private SourceRetirement(
      StateDb db,
      Maintenance maintenance,
      KeyGroupRange range,
      List<String> pending,
      boolean unclaimed) {
    this.db = db;
    this.maintenance = maintenance;
    this.range = range;
    this.pending = new ArrayList<>(pending);
    this.unclaimed = unclaimed;
  }

  /**
   * After a restore that forked (or copied) {@code handles} into {@code db}: the candidates are
   * those this subtask is responsible for, with the old databases each of them still had to delete
   * (its record in {@code retireRecords}, when that shows a claimed restore: a chain of rescales
   * hands the duty on); every source on this store is scanned for abandoned forks at the first
   * completed checkpoint. The record goes into the database (so into its first checkpoint).
   */
  static SourceRetirement forked(
      StateDb db,
      List<IsleCheckpoint> handles,
      KeyGroupRange range,
      Maintenance maintenance,
      Map<String, byte[]> retireRecords) {
    List<String> candidates = new ArrayList<>();
    List<String> scan = new ArrayList<>();
    for (IsleCheckpoint h : handles) {
      if (!h.getStoreUri().equals(db.storeUri()) || h.getPrefix().equals(db.prefix())) {
        continue;
      }
      if (!scan.contains(h.getPrefix())) {
        scan.add(h.getPrefix());
      }
      if (h.getPinName().startsWith("chk-")
          && range.contains(h.getSourceKeyGroupRange().getStartKeyGroup())
          && !candidates.contains(h.getPrefix())) {
        candidates.add(h.getPrefix());
        byte[] record = retireRecords.get(h.getPrefix());
        if (record != null) {
          SourceRetirement inherited = decode(h.getPrefix(), null, null, range, record);
          for (String s : inherited.scan) {
            // Its abandoned forks are abandoned whoever finds them (the checkpoint completed).
            addNew(scan, AbandonedForks.inherited(s, h.getPrefix()), "");
          }
          if (!inherited.unclaimed) {
            inherited.pending.forEach(p -> addNew(candidates, p, db.prefix()));
            inherited.abandoned.forEach(p -> addNew(candidates, p, db.prefix()));
          }
        }
      }
    }
    if (candidates.isEmpty() && scan.isEmpty()) {
      return NONE;
    }
    SourceRetirement r = new SourceRetirement(db, maintenance, range, candidates, false);
    r.scan.addAll(scan);
    r.write();
    return r;
  }

  private static void addNew(List<String> list, String prefix, String own) {
    if (!prefix.equals(own) && !list.contains(prefix)) {
      list.add(prefix);
    }
  }

  /**
   * After a restore of one of this database's own checkpoints in place: carries on with its record.
   * That checkpoint completed, so if nothing but regular checkpoints were taken up to it since the
   * fork, the restore was claimed and the sources are retired now.
   */
  static SourceRetirement reopened(StateDb db, Maintenance maintenance, KeyGroupRange range) {
    byte[] record = db.get(KEY);
    if (record == null) {
      return NONE;
    }
    SourceRetirement r = decode(db.prefix(), db, maintenance, range, record);
    if (r.unclaimed) {
      r.pending.clear(); // an unclaimed restore never retires its sources
    }
    if (r.pending.isEmpty() && r.scan.isEmpty() && r.abandoned.isEmpty()) {
      db.delete(KEY);
      return NONE;
    }
    if (!r.pending.isEmpty()) {
      r.claim();
    }
    // The restored checkpoint completed and holds this database: abandoned forks are decidable.
    r.cleanUpAbandoned();
    return r;
  }

  /** Whether the restore was found claimed (so the sources are being retired). */
  boolean claimed() {
    return claimed;
  }

  /** The source prefixes not known to be deleted yet. */
  List<String> pending() {
    return List.copyOf(pending);
  }

  /** The abandoned forks found and not known to be deleted yet. */
  List<String> abandoned() {
    return List.copyOf(abandoned);
  }

  /**
   * Called in a snapshot's synchronous phase, before the cut: notes the snapshot's type and writes
   * the record, so the snapshot's version holds it.
   */
  void snapshotting(long checkpointId, CheckpointOptions options) {
    if (db == null) {
      return;
    }
    SnapshotType type = options.getCheckpointType();
    boolean isRegular =
        !type.isSavepoint()
            && type.getSharingFilesStrategy() == SnapshotType.SharingFilesStrategy.FORWARD_BACKWARD;
    if (!isRegular && !claimed) {
      unclaimed = true; // once claimed, a savepoint or a full checkpoint changes nothing
    }
    regular.put(checkpointId, isRegular);
    for (String prefix : gone) {
      SourceGc gc = collectors.remove(prefix);
      if (gc != null) {
        gc.close();
      }
    }
    if (pending.removeIf(gone::contains) | abandoned.removeIf(gone::contains)) {
      LOG.info(
          "old databases deleted; still to delete from {}: {} and abandoned forks {}",
          db.prefix(),
          pending,
          abandoned);
    }
    write();
  }

  /** Checkpoint {@code id} completed: decides the claim at the first one, then drives the GC. */
  void completed(long id) {
    if (db == null) {
      return;
    }
    Boolean wasRegular = regular.get(id);
    regular.headMap(id, true).clear();
    if (wasRegular == null) {
      return; // not a checkpoint of this attempt
    }
    // A checkpoint holding this database completed, claimed or not: abandoned forks are decidable.
    cleanUpAbandoned();
    if (!pending.isEmpty() && !claimed && unclaimed) {
      // The restore was not claimed (NO_CLAIM, or a snapshot taken as a savepoint or a full
      // checkpoint first): the old databases belong to someone else, for good.
      LOG.info(
          "the restore of {} was not claimed: the old databases {} stay", db.prefix(), pending);
      pending.clear();
    } else if (!pending.isEmpty() && !claimed && wasRegular) {
      claim();
      return;
    } else if (claimed) {
      open(pending, false); // those that failed to open before
    }
    if (!collectors.isEmpty() && maintenance.gc() && ++completions % probeEvery() == 0) {
      requestPasses();
    }
  }

  /**
   * Scans the sources for abandoned forks (once per attempt, until a scan succeeded), then retires
   * each abandoned fork found, removes its pins and opens its GC (docs/flink-statebackend.md
   * "Abandoned forks").
   */
  private void cleanUpAbandoned() {
    if (!scan.isEmpty()) {
      try {
        for (String f : AbandonedForks.find(db, range, scan, maintenance.dbOptions())) {
          addNew(abandoned, f, db.prefix());
        }
        scan.clear();
        if (!abandoned.isEmpty()) {
          LOG.info("abandoned forks of the sources of {}: {}", db.prefix(), abandoned);
        }
      } catch (RuntimeException e) {
        // Not fatal: the next completed checkpoint scans again.
        LOG.warn("cannot scan the sources {} of {} for abandoned forks", scan, db.prefix(), e);
      }
    }
    open(abandoned, true);
  }

  private int probeEvery() {
    return maintenance.gcAfterCheckpoints > 0 ? maintenance.gcAfterCheckpoints : PROBE_EVERY;
  }

  private void claim() {
    claimed = true;
    LOG.info("the restore of {} was claimed: retiring the old databases {}", db.prefix(), pending);
    open(pending, false);
  }

  /**
   * Retires each database of {@code prefixes} not open yet and opens its GC; an abandoned fork's
   * pins are removed first (they are of checkpoints that never completed).
   */
  private void open(List<String> prefixes, boolean abandonedForks) {
    for (String prefix : prefixes) {
      if (collectors.containsKey(prefix) || gone.contains(prefix)) {
        continue;
      }
      try {
        SourceGc gc = SourceGc.open(db, prefix, maintenance, abandonedForks);
        if (gc == null) {
          gone.add(prefix);
          continue;
        }
        collectors.put(prefix, gc);
      } catch (RuntimeException e) {
        // Not fatal: the next completed checkpoint, or a restored attempt, tries again.
        LOG.warn("cannot retire the database {}; it stays as it is for now", prefix, e);
      }
    }
  }

  /** Asks each retired source's GC for a pass; a source found empty afterwards is done. */
  private void requestPasses() {
    for (Map.Entry<String, SourceGc> e : collectors.entrySet()) {
      String prefix = e.getKey();
      if (gone.contains(prefix)) {
        continue;
      }
      SourceGc gc = e.getValue();
      try {
        gc.gc
            .requestPass()
            .whenComplete(
                (r, t) -> {
                  if (gc.isEmpty()) {
                    gone.add(prefix);
                  }
                });
      } catch (RuntimeException ex) {
        // closed meanwhile (the backend is being disposed)
      }
    }
  }

  /** Runs one GC pass on each retired source now, on the calling thread (tests). */
  void runPassesNow() {
    for (Map.Entry<String, SourceGc> e : collectors.entrySet()) {
      if (!gone.contains(e.getKey())) {
        e.getValue().gc.runOnce();
        if (e.getValue().isEmpty()) {
          gone.add(e.getKey());
        }
      }
    }
  }

  private void write() {
    if (pending.isEmpty() && scan.isEmpty() && abandoned.isEmpty()) {
      if (recorded) {
        db.delete(KEY);
        recorded = false;
      }
      return;
    }
    recorded = true;
    try {
      DataOutputSerializer out = new DataOutputSerializer(64);
      out.writeInt(FORMAT);
      out.writeBoolean(unclaimed);
      for (List<String> list : List.of(pending, scan, abandoned)) {
        out.writeInt(list.size());
        for (String p : list) {
          out.writeUTF(p);
        }
      }
      db.put(KEY, out.getCopyOfBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the retirement record", e);
    }
  }

  /** The record of the database at {@code prefix} ({@code db} itself, or a forked source). */
  private static SourceRetirement decode(
      String prefix, StateDb db, Maintenance maintenance, KeyGroupRange range, byte[] record) {
    try {
      DataInputDeserializer in = new DataInputDeserializer(record);
      int format = in.readInt();
      if (format != 1 && format != FORMAT) {
        throw new IllegalStateException(
            "the retirement record of " + prefix + " has format " + format);
      }
      boolean unclaimed = in.readBoolean();
      SourceRetirement r = new SourceRetirement(db, maintenance, range, readList(in), unclaimed);
      if (format >= 2) {
        r.scan.addAll(readList(in));
        r.abandoned.addAll(readList(in));
      }
      r.recorded = true;
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode the retirement record of " + prefix, e);
    }
  }

  private static List<String> readList(DataInputDeserializer in) throws IOException {
    int n = in.readInt();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readUTF());
    }
    return out;
  }

  /** Stops the sources' GC (before the backend's database closes). */
  @Override
  public void close() {
    if (db == null || closed) {
      return;
    }
    closed = true;
    for (SourceGc gc : collectors.values()) {
      gc.close();
    }
    collectors.clear();
  }
}
