package io.isledb.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.FencedException;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ReaderOptions;
import io.isledb.manifest.ChecksummedJson;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage collector (role {@code gc}). One pass:
 *
 * <ol>
 *   <li>Notes the time {@code now}, then reads the newest version (head), the pins and the leases.
 *   <li>Finds the retained window: the oldest version that must stay openable is the smallest of
 *       the head, every history pin, and every log edit younger than the log retention; {@code
 *       base} is the newest snapshot at or below it. Live tables are those of the base state, every
 *       table added by an edit after it, and the tables of every version pin's state; live blobs
 *       are those these tables reference.
 *   <li>Lists tables and blobs. An object that is neither live nor in a live lease is marked with
 *       {@code now} the first time it is seen, and deleted once it has stayed marked for the grace
 *       period. A marked object that became live again is unmarked.
 *   <li>Deletes log edits at or below the base and snapshots below it (older than the grace
 *       period), leases that did not change for their lifetime, and temporary files of staged
 *       writes that crashed processes abandoned (idle for the grace period).
 *   <li>Persists the marks ({@code manifest/gc/pending-sst/pending.json}) and its progress ({@code
 *       manifest/gc/checkpoint.json}), so a restarted GC keeps the clocks it started.
 * </ol>
 *
 * Why this is safe against writers: a writer commits what it uploaded within half the grace period
 * of uploading it, and an object can only be marked after it was uploaded; the deleting pass reads
 * its head after the mark's grace period, so it sees that commit.
 */
public final class DbGarbageCollector implements GarbageCollector, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbGarbageCollector.class);

  private final DbContext ctx;
  private final GcOptions options;
  private final long epoch;
  private final Tables tables;
  private final ScheduledExecutorService executor;
  private boolean started;
  private volatile boolean closed;

  /** Folded state and what every retained edit added (edits are immutable, so this is cached). */
  private ManifestState head;

  private final TreeMap<Long, List<SstMeta>> addedBySlot = new TreeMap<>();
  private long baseSeq = -1;
  private ManifestState baseState;
  private final Map<String, Set<String>> blobsByTable = new HashMap<>();
  private Map<String, Long> marks;
  private Map<String, long[]> leaseSeen;

  public DbGarbageCollector(DbContext ctx, GcOptions options) {
    this.ctx = ctx;
    this.options = options;
    ManifestAppender appender = ctx.appender(Role.GC, "gc-" + ctx.newId());
    this.epoch = appender.fence();
    this.tables =
        new Tables(
            ctx.store(),
            ReaderOptions.defaults()
                .withBlockCacheBytes(0)
                .withDiskCacheBytes(0)
                .withSmallTableBytes(0),
            null);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            DbWriter.daemon("isledb-gc " + ctx.store().location()));
  }

  @Override
  public synchronized void start() {
    checkOpen();
    if (!started) {
      started = true;
      BackgroundLoop.start(
          executor, options.interval(), "gc of " + ctx.store().location(), this::runOnce);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw IsleException.closed("garbage collector of " + ctx.store().location());
    }
  }

  @Override
  public synchronized GcResult runOnce() {
    checkOpen();
    long now = ctx.clock().millis();
    long grace = ctx.options().gcGracePeriod().toMillis();
    loadPersisted();
    catchUp();
    if (ctx.manifest().leftBehind(head.seq())) {
      // Only a GC collects the log, and never past its own head: another GC instance took over
      // (fencing this one) while this one was paused, and collected the log after our head,
      // fence included. A zombie GC that trusted the free slot would compute the live set from a
      // stale version and delete live objects.
      ManifestState latest = ctx.manifest().loadLatest();
      if (latest.epoch(Role.GC) != epoch) {
        throw new FencedException(
            "gc epoch "
                + epoch
                + " was fenced by epoch "
                + latest.epoch(Role.GC)
                + " while paused");
      }
      head = null;
      baseSeq = -1;
      baseState = null;
      addedBySlot.clear();
      catchUp();
    }
    if (head.epoch(Role.GC) != epoch) {
      throw new FencedException(
          "gc epoch " + epoch + " was fenced by epoch " + head.epoch(Role.GC));
    }

    // Retained window.
    // History pins hold the window back; version pins only keep the tables of their own state.
    List<ManifestCodec.Pin> pins = Pins.read(ctx.store());
    List<ObjectInfo> log = listAll(ManifestPaths.LOG_DIR);
    long minNeeded = head.seq();
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        minNeeded = Math.min(minNeeded, p.version());
      }
    }
    long youngCutoff = now - ctx.options().logRetention().toMillis();
    for (ObjectInfo o : log) {
      long s = ManifestPaths.seqOf(o.name());
      if (s > 0 && o.lastModifiedMillis() >= youngCutoff) {
        minNeeded = Math.min(minNeeded, s);
        break;
      }
    }
    // Never beyond the snapshot CURRENT names: an author or reader left behind detects that it
    // was stranded by finding CURRENT ahead of its version (ManifestAppender.ensureFresh).
    List<ObjectInfo> snapshotObjects = listAll(ManifestPaths.SNAPSHOT_DIR);
    List<Long> snapshots = new ArrayList<>();
    for (ObjectInfo o : snapshotObjects) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        snapshots.add(s);
      }
    }
    if (snapshots.isEmpty() || snapshots.get(snapshots.size() - 1) < head.seq()) {
      // Without a snapshot at the head, an idle database would keep the tables of its last few
      // edits forever. Any author may write the snapshot of a version; GC's fold is as good as any.
      ctx.manifest().writeSnapshot(head, now);
      ctx.manifest()
          .writeCurrent(
              new ManifestCodec.Current(
                  head.seq(), head.seq(), head.maxCommittedLsn(), head.lowWatermarkLsn(), now));
      snapshots.add(head.seq());
    }
    long currentSnapshot =
        ctx.manifest().readCurrent().map(ManifestCodec.Current::snapshotSeq).orElse(0L);
    long base = 0;
    for (long s : snapshots) {
      if (s <= minNeeded && s <= currentSnapshot) {
        base = s;
      }
    }
    moveBase(base);

    // Live objects.
    Set<String> liveTables = new HashSet<>();
    Map<String, SstMeta> metas = new HashMap<>();
    for (SstMeta t : baseState.allTables()) {
      metas.put(t.id(), t);
    }
    for (List<SstMeta> added : addedBySlot.tailMap(base, false).values()) {
      for (SstMeta t : added) {
        metas.put(t.id(), t);
      }
    }
    for (ManifestCodec.Pin p : pins) {
      if (!p.history()) {
        for (SstMeta t : p.state().allTables()) {
          metas.put(t.id(), t);
        }
      }
    }
    liveTables.addAll(metas.keySet());
    Set<String> liveBlobs = new HashSet<>();
    for (SstMeta t : metas.values()) {
      if (t.blobRefs() > 0) {
        liveBlobs.addAll(blobsOf(t));
      }
    }
    blobsByTable.keySet().retainAll(liveTables);
    Lease.Coverage leased = readLeases(now, grace);

    // Mark and sweep tables and blobs.
    List<ObjectInfo> objects = listAll(ManifestPaths.SST_DIR);
    objects.addAll(listAll(ManifestPaths.BLOB_DIR));
    Set<String> listed = new HashSet<>();
    List<String> delete = new ArrayList<>();
    int newlyMarked = 0;
    int deletedTables = 0;
    int deletedBlobs = 0;
    long deletedBytes = 0;
    for (ObjectInfo o : objects) {
      listed.add(o.name());
      String id = ManifestPaths.sstIdOf(o.name());
      String blob = ManifestPaths.blobNameOf(o.name());
      boolean live =
          (id != null && liveTables.contains(id))
              || (blob != null && liveBlobs.contains(blob))
              || leased.covers(o.name());
      if (live) {
        marks.remove(o.name());
        continue;
      }
      Long since = marks.get(o.name());
      if (since == null) {
        marks.put(o.name(), now);
        newlyMarked++;
      } else if (now - since >= grace) {
        delete.add(o.name());
        deletedBytes += o.size();
        if (id != null) {
          deletedTables++;
        } else {
          deletedBlobs++;
        }
      }
    }
    marks.keySet().retainAll(listed);
    if (!delete.isEmpty()) {
      ctx.store().deleteAll(delete);
      delete.forEach(marks::remove);
    }

    // Log edits at or below the base, snapshots below it, once older than the grace period.
    long graceCutoff = now - grace;
    // Staged writes of processes that died before publishing (file://, rename-based schemes) are
    // hidden from listings, so the sweep above never sees them: reclaim those idle for the grace
    // period. A crashed writer or compactor would otherwise leak them forever.
    int deletedTemporaries = 0;
    for (String dir : List.of(ManifestPaths.SST_DIR, ManifestPaths.BLOB_DIR, "manifest/")) {
      deletedTemporaries += ctx.store().deleteAbandonedTemporaries(dir, graceCutoff);
    }
    List<String> oldManifest = new ArrayList<>();
    int deletedLog = 0;
    int deletedSnaps = 0;
    for (ObjectInfo o : log) {
      long s = ManifestPaths.seqOf(o.name());
      if (s > 0 && s <= base && o.lastModifiedMillis() < graceCutoff) {
        oldManifest.add(o.name());
        deletedLog++;
      }
    }
    for (ObjectInfo o : snapshotObjects) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0 && s < base && o.lastModifiedMillis() < graceCutoff) {
        oldManifest.add(o.name());
        deletedSnaps++;
      }
    }
    int deadLeases = deleteDeadLeases(now, grace, oldManifest);
    if (!oldManifest.isEmpty()) {
      ctx.store().deleteAll(oldManifest);
    }
    addedBySlot.headMap(base, true).clear();
    persist(now, base);
    GcResult r =
        new GcResult(
            head.seq(),
            liveTables.size(),
            liveBlobs.size(),
            newlyMarked,
            marks.size(),
            deletedTables,
            deletedBlobs,
            deletedBytes,
            deletedLog,
            deletedSnaps,
            deadLeases);
    LOG.info(
        "gc pass at version {} (base {}): {}, {} abandoned temporary files",
        head.seq(),
        base,
        r,
        deletedTemporaries);
    return r;
  }

  /** Reads new edits since the last pass, remembering the tables each one added. */
  private void catchUp() {
    catchUp(true);
  }

  private void catchUp(boolean mayRetry) {
    if (head == null) {
      // First pass: start from the oldest retained state so the window's additions are known.
      // If slot 1 still exists every version is openable, so start from the empty state.
      List<Long> snaps = ctx.manifest().listSnapshots();
      ManifestState start = ManifestState.empty();
      if (!snaps.isEmpty() && ctx.manifest().readEdit(1).isEmpty()) {
        // The oldest snapshot the log continues from. A GC killed while deleting old edits and
        // snapshots (edits first, in ascending order) leaves older snapshots whose following
        // edits are gone; a replay from one of them would stop early, at a stale version (and
        // then see its own fence missing: a false FencedException on every restart).
        List<Long> log = ctx.manifest().listLog();
        long firstEdit = log.isEmpty() ? Long.MAX_VALUE : log.get(0);
        long first = snaps.get(snaps.size() - 1);
        for (long snap : snaps) {
          if (snap + 1 >= firstEdit) {
            first = snap;
            break;
          }
        }
        long from = first;
        start = ctx.manifest().readSnapshot(from).orElseGet(() -> ctx.manifest().loadVersion(from));
      }
      baseSeq = start.seq();
      baseState = start;
      head = start;
    }
    head =
        ctx.manifest()
            .catchUp(
                head,
                Long.MAX_VALUE,
                e -> {
                  if (e.change() instanceof Edit.AddTables a) {
                    addedBySlot.put(e.seq(), a.tables());
                  } else if (e.change() instanceof Edit.Compact c) {
                    addedBySlot.put(e.seq(), c.output());
                  }
                });
    if (head.seq() == 0 && !ctx.manifest().listLog().isEmpty()) {
      if (mayRetry) {
        // Maybe the database is being created right now: its first edit appeared after we found
        // slot 1 free. Look once more before calling it corrupt.
        head = null;
        addedBySlot.clear();
        catchUp(false);
        return;
      }
      throw new CorruptionException(
          "manifest of " + ctx.store().location() + " has no slot 1 and no snapshot");
    }
  }

  /** Moves the base state forward to snapshot {@code base} (never backwards). */
  private void moveBase(long base) {
    if (base <= baseSeq) {
      return;
    }
    ManifestState s =
        ctx.manifest().readSnapshot(base).orElseGet(() -> ctx.manifest().loadVersion(base));
    baseState = s;
    baseSeq = base;
  }

  private Set<String> blobsOf(SstMeta t) {
    Set<String> cached = blobsByTable.get(t.id());
    if (cached != null) {
      return cached;
    }
    Set<String> names = new HashSet<>();
    try {
      TableIterator it = tables.get(t).reader().iterator(ScanOptions.sequential(4 << 20));
      it.seekToFirst();
      while (it.valid()) {
        if (it.kind().isBlob()) {
          names.add(BlobRef.decode(it.value(), "table " + t.id()).name());
        }
        it.next();
      }
    } finally {
      tables.invalidate(t.id());
    }
    blobsByTable.put(t.id(), names);
    return names;
  }

  /**
   * Objects named in live leases. A lease is live while GC saw its content change within the larger
   * of its ttl and the grace period (GC's own clock: no cross-machine clock comparison).
   */
  private Lease.Coverage readLeases(long now, long grace) {
    Lease.Coverage out = new Lease.Coverage();
    Set<String> present = new HashSet<>();
    for (ObjectInfo o : listAll(Lease.DIR)) {
      Optional<byte[]> b = ctx.store().get(o.name());
      if (b.isEmpty()) {
        continue;
      }
      Lease l;
      try {
        l = Lease.decode(o.name(), b.get());
      } catch (CorruptionException e) {
        LOG.warn("ignoring unreadable lease {}: {}", o.name(), e.getMessage());
        continue;
      }
      present.add(o.name());
      long[] seen = leaseSeen.get(o.name());
      if (seen == null || seen[0] != l.refresh()) {
        seen = new long[] {l.refresh(), now, l.ttlMillis()};
        leaseSeen.put(o.name(), seen);
      }
      if (now - seen[1] < Math.max(grace, l.ttlMillis())) {
        out.add(l);
      }
    }
    leaseSeen.keySet().retainAll(present);
    return out;
  }

  private int deleteDeadLeases(long now, long grace, List<String> into) {
    int n = 0;
    for (Iterator<Map.Entry<String, long[]>> it = leaseSeen.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, long[]> e = it.next();
      long[] seen = e.getValue();
      if (now - seen[1] >= Math.max(grace, seen[2])) {
        into.add(e.getKey());
        it.remove();
        n++;
      }
    }
    return n;
  }

  private List<ObjectInfo> listAll(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    ctx.store().list(prefix).forEachRemaining(out::add);
    return out;
  }

  // ------------------------------------------------------------------ persisted GC state

  private void loadPersisted() {
    if (marks != null) {
      return;
    }
    marks = new HashMap<>();
    leaseSeen = new HashMap<>();
    try {
      ctx.store()
          .get(ManifestPaths.GC_PENDING)
          .ifPresent(
              b -> {
                JsonNode n = ChecksummedJson.decode(ManifestPaths.GC_PENDING, b);
                for (JsonNode m : n.path("marks")) {
                  marks.put(m.path("name").asText(), m.path("since").asLong());
                }
              });
      ctx.store()
          .get(ManifestPaths.GC_CHECKPOINT)
          .ifPresent(
              b -> {
                JsonNode n = ChecksummedJson.decode(ManifestPaths.GC_CHECKPOINT, b);
                for (JsonNode l : n.path("leases")) {
                  leaseSeen.put(
                      l.path("name").asText(),
                      new long[] {
                        l.path("refresh").asLong(),
                        l.path("since").asLong(),
                        l.path("ttlMillis").asLong()
                      });
                }
              });
    } catch (CorruptionException e) {
      // Losing marks only delays deletions: every object starts its grace period again.
      LOG.warn("GC state unreadable, starting marks afresh: {}", e.getMessage());
      marks.clear();
      leaseSeen.clear();
    }
    // Marks from an earlier GC instance were made with its clock; keep them (monotone enough).
  }

  private void persist(long now, long base) {
    ObjectNode p = ChecksummedJson.object();
    p.put("format", ManifestCodec.FORMAT_VERSION);
    p.put("type", "gc-pending");
    ArrayNode ms = p.putArray("marks");
    new TreeMap<>(marks)
        .forEach((name, since) -> ms.addObject().put("name", name).put("since", since));
    ctx.store().put(ManifestPaths.GC_PENDING, ChecksummedJson.encode(p));
    ObjectNode c = ChecksummedJson.object();
    c.put("format", ManifestCodec.FORMAT_VERSION);
    c.put("type", "gc-checkpoint");
    c.put("time", now);
    c.put("version", head.seq());
    c.put("base", base);
    ArrayNode ls = c.putArray("leases");
    leaseSeen.forEach(
        (name, seen) ->
            ls.addObject()
                .put("name", name)
                .put("refresh", seen[0])
                .put("since", seen[1])
                .put("ttlMillis", seen[2]));
    ctx.store().put(ManifestPaths.GC_CHECKPOINT, ChecksummedJson.encode(c));
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    synchronized (this) {
      tables.close();
    }
  }
}
