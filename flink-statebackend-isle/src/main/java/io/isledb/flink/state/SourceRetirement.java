package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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

  private static final int FORMAT = 1;

  /** Completed checkpoints between two probes of whether a retired source is gone yet. */
  static final int PROBE_EVERY = 16;

  /** Nothing to retire (a new database, a same-range restore without a record). */
  static final SourceRetirement NONE = new SourceRetirement(null, null, List.of(), false);

  private final StateDb db;
  private final Maintenance maintenance;
  private final List<String> pending; // source prefixes not known to be deleted yet
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  private final TreeMap<Long, Boolean> regular = new TreeMap<>(); // checkpoint id -> regular
  private final Map<String, SourceGc> collectors = new LinkedHashMap<>();
  private boolean unclaimed; // a checkpoint since the fork was not a regular one
  private boolean claimed;
  private int completions;
  private boolean closed;
  private boolean recorded; // the database holds the record (as of this attempt's writes)

  private SourceRetirement(
      StateDb db, Maintenance maintenance, List<String> pending, boolean unclaimed) {
    this.db = db;
    this.maintenance = maintenance;
    this.pending = new ArrayList<>(pending);
    this.unclaimed = unclaimed;
  }

  /**
   * After a restore that forked (or copied) {@code handles} into {@code db}: the candidates are
   * those this subtask is responsible for; their record goes into the database (so into its first
   * checkpoint).
   */
  static SourceRetirement forked(
      StateDb db, List<IsleCheckpoint> handles, KeyGroupRange range, Maintenance maintenance) {
    List<String> candidates = new ArrayList<>();
    for (IsleCheckpoint h : handles) {
      if (h.getPinName().startsWith("chk-")
          && h.getStoreUri().equals(db.storeUri())
          && !h.getPrefix().equals(db.prefix())
          && range.contains(h.getSourceKeyGroupRange().getStartKeyGroup())
          && !candidates.contains(h.getPrefix())) {
        candidates.add(h.getPrefix());
      }
    }
    if (candidates.isEmpty()) {
      return NONE;
    }
    SourceRetirement r = new SourceRetirement(db, maintenance, candidates, false);
    r.write();
    return r;
  }

  /**
   * After a restore of one of this database's own checkpoints in place: carries on with its record.
   * That checkpoint completed, so if nothing but regular checkpoints were taken up to it since the
   * fork, the restore was claimed and the sources are retired now.
   */
  static SourceRetirement reopened(StateDb db, Maintenance maintenance) {
    byte[] record = db.get(KEY);
    if (record == null) {
      return NONE;
    }
    SourceRetirement r = decode(db, maintenance, record);
    if (r.pending.isEmpty() || r.unclaimed) {
      db.delete(KEY); // an unclaimed restore never retires its sources
      return NONE;
    }
    if (!r.unclaimed) {
      r.claim();
    }
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
    if (pending.removeIf(gone::contains)) {
      LOG.info("old databases deleted; still to delete from {}: {}", db.prefix(), pending);
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
    if (wasRegular == null || pending.isEmpty()) {
      return; // not a checkpoint of this attempt, or nothing left to do
    }
    if (!claimed && unclaimed) {
      // The restore was not claimed (NO_CLAIM, or a snapshot taken as a savepoint or a full
      // checkpoint first): the old databases belong to someone else, for good.
      LOG.info(
          "the restore of {} was not claimed: the old databases {} stay", db.prefix(), pending);
      pending.clear();
      return;
    }
    if (!claimed && wasRegular) {
      claim();
      return;
    }
    if (claimed && maintenance.gc() && ++completions % probeEvery() == 0) {
      requestPasses();
    }
  }

  private int probeEvery() {
    return maintenance.gcAfterCheckpoints > 0 ? maintenance.gcAfterCheckpoints : PROBE_EVERY;
  }

  private void claim() {
    claimed = true;
    LOG.info("the restore of {} was claimed: retiring the old databases {}", db.prefix(), pending);
    for (String prefix : pending) {
      try {
        SourceGc gc = SourceGc.open(db, prefix, maintenance);
        if (gc == null) {
          gone.add(prefix);
          continue;
        }
        collectors.put(prefix, gc);
      } catch (RuntimeException e) {
        // Not fatal: a restored attempt of this subtask tries again, and the source stays whole.
        LOG.warn("cannot retire the old database {}; it stays as it is", prefix, e);
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
    if (pending.isEmpty()) {
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
      out.writeInt(pending.size());
      for (String p : pending) {
        out.writeUTF(p);
      }
      db.put(KEY, out.getCopyOfBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the retirement record", e);
    }
  }

  private static SourceRetirement decode(StateDb db, Maintenance maintenance, byte[] record) {
    try {
      DataInputDeserializer in = new DataInputDeserializer(record);
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalStateException(
            "the retirement record of " + db.prefix() + " has format " + format);
      }
      boolean unclaimed = in.readBoolean();
      int n = in.readInt();
      List<String> pending = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        pending.add(in.readUTF());
      }
      SourceRetirement r = new SourceRetirement(db, maintenance, pending, unclaimed);
      r.recorded = true;
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode the retirement record of " + db.prefix(), e);
    }
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

  /** A retired source: its store, database and garbage collector, opened by this backend. */
  private static final class SourceGc implements AutoCloseable {
    private final ObjectStore store;
    private final IsleDB db;
    final GarbageCollector gc;

    private SourceGc(ObjectStore store, IsleDB db, GarbageCollector gc) {
      this.store = store;
      this.db = db;
      this.gc = gc;
    }

    /**
     * Retires the database at {@code prefix} (idempotent) and opens its GC, periodic at the
     * backend's GC interval; null when the prefix holds no database any more (deleted already:
     * opening it would start a new one).
     */
    static SourceGc open(StateDb owner, String prefix, Maintenance maintenance) {
      ObjectStore store = owner.resources().openStore(owner.storeUri(), prefix, owner.hadoopConf());
      IsleDB db = null;
      GarbageCollector gc = null;
      try {
        DBOptions options = maintenance.dbOptions();
        java.time.Clock clock = TestHooks.sourceGcClock;
        // Opening reads nothing: only the listing below tells whether a database is there.
        db =
            IsleDB.open(
                store, clock == null ? options : options.withClock(clock), owner.resources());
        if (!db.holdsManifest()) {
          db.close();
          store.close();
          return null;
        }
        db.retire();
        Duration interval =
            maintenance.gcInterval.isZero() ? Duration.ofDays(1) : maintenance.gcInterval;
        gc = db.openGarbageCollector(new GcOptions(interval));
        if (!maintenance.gcInterval.isZero()) {
          gc.start();
        }
        return new SourceGc(store, db, gc);
      } catch (RuntimeException e) {
        if (gc != null) {
          gc.close();
        }
        if (db != null) {
          db.close();
        }
        store.close();
        throw e;
      }
    }

    /** Whether the database was deleted: its manifest store (wherever it is) holds nothing. */
    boolean isEmpty() {
      return !db.holdsManifest();
    }

    @Override
    public void close() {
      try {
        gc.close();
      } finally {
        try {
          db.close();
        } finally {
          store.close();
        }
      }
    }
  }
}
