package io.isledb.db;

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
import java.util.ArrayDeque;
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
 *       the head, every history pin, and every log edit this instance first saw less than the log
 *       retention ago; {@code base} is the newest snapshot at or below it. Live tables are those of
 *       the base state, every table added by an edit after it, and the tables of every version
 *       pin's state; live blobs are those these tables reference.
 *   <li>Lists tables and blobs. An object that is neither live nor in a live lease is marked with a
 *       clock reading taken <em>after</em> that listing, the first time it is seen, and deleted by
 *       a pass whose {@code now} is a grace period past its mark. A marked object that became live
 *       again, or that an edit read since the mark added, is unmarked.
 *   <li>Deletes log edits at or below the base once it has seen them for the grace period and the
 *       log retention, snapshots below it once it has seen them for the grace period, leases that
 *       did not change for their lifetime, and temporary files of staged writes that crashed
 *       processes abandoned (idle for the grace period, see {@link #sweepTemporaries}).
 *   <li>Writes its marks ({@code manifest/gc/pending-sst/pending.json}) and progress ({@code
 *       manifest/gc/checkpoint.json}) for operators. They are never read back: every time in them
 *       is a reading of this instance's clock, which another instance (another host) cannot compare
 *       with its own, so a new instance starts every clock afresh (deletions are delayed by one
 *       grace period, nothing is deleted early).
 * </ol>
 *
 * Every time this class compares is a reading of its own clock ({@link DbContext#clock()}); the
 * store's modification times and other processes' clock readings are never compared with it.
 *
 * <p>Fail closed: when a listed lease cannot be read (gone between the listing and the read, a
 * newer format, corrupt bytes) the pass marks and deletes no table or blob, since that lease may
 * name uploads in flight; when a listed pin cannot be read the pass deletes nothing at all and
 * keeps its base. Both are reported in {@link GcResult#unreadable()} and logged.
 *
 * <p>Why this is safe against writers: a writer commits what it uploaded within half the grace
 * period of uploading it, and a mark is stamped after the listing that found the object, so after
 * its upload; the deleting pass reads its head after the mark's grace period, so it sees that
 * commit.
 */
public final class DbGarbageCollector implements GarbageCollector, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbGarbageCollector.class);

  private final DbContext ctx;
  private final GcOptions options;
  private final String author;
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

  /** Object name to the clock reading (after the listing) that first found it unreferenced. */
  private final Map<String, Long> marks = new HashMap<>();

  /** Lease name to {refresh, when GC saw that refresh first, ttl}. */
  private final Map<String, long[]> leaseSeen = new HashMap<>();

  /** Log slot / snapshot to the clock reading (after the listing) that first found it. */
  private final TreeMap<Long, Long> logFirstSeen = new TreeMap<>();

  private final TreeMap<Long, Long> snapshotFirstSeen = new TreeMap<>();

  /**
   * Store-clock witnesses: {our clock after a write of ours, the store's modification time of that
   * write}. A temporary last modified before a witness's store time was idle before our reading.
   */
  private final ArrayDeque<long[]> storeWitnesses = new ArrayDeque<>();

  /** The newest store time of a witness at least a grace period old (on our clock). */
  private long temporaryCutoff = Long.MIN_VALUE;

  public DbGarbageCollector(DbContext ctx, GcOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.author = "gc-" + ctx.newId();
    ManifestAppender appender = ctx.appender(Role.GC, author);
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
    // Read before anything else: a deletion needs now >= mark + grace, so the head read below
    // comes after the mark's grace period (the commit-deadline argument, PROTOCOL.md section 7).
    long now = ctx.clock().millis();
    long grace = ctx.options().gcGracePeriod().toMillis();
    List<SstMeta> newlyAdded = new ArrayList<>();
    catchUp(newlyAdded);
    // Listed after the catch-up, so the listing alone decides whether the free slot after the head
    // is a collected one (ManifestStore.leftBehindListed): no CURRENT read, no second LIST.
    List<ObjectInfo> snapshotObjects = listAll(ManifestPaths.SNAPSHOT_DIR);
    if (ctx.manifest().leftBehindListed(head.seq(), seqsOf(snapshotObjects))) {
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
      catchUp(newlyAdded);
      snapshotObjects = listAll(ManifestPaths.SNAPSHOT_DIR);
    }
    if (head.epoch(Role.GC) != epoch) {
      throw new FencedException(
          "gc epoch " + epoch + " was fenced by epoch " + head.epoch(Role.GC));
    }

    // Retained window.
    // History pins hold the window back; version pins only keep the tables of their own state.
    List<String> unreadablePins = new ArrayList<>();
    List<ManifestCodec.Pin> pins = Pins.read(ctx.store(), unreadablePins);
    List<ObjectInfo> log = listAll(ManifestPaths.LOG_DIR);
    // First sightings are stamped after the listings: an object in them existed before this
    // reading, so an age measured from it never exceeds the object's true age.
    long seenAt = ctx.clock().millis();
    firstSeen(logFirstSeen, log, seenAt);
    firstSeen(snapshotFirstSeen, snapshotObjects, seenAt);
    long minNeeded = head.seq();
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        minNeeded = Math.min(minNeeded, p.version());
      }
    }
    long retention = ctx.options().logRetention().toMillis();
    for (Map.Entry<Long, Long> e : logFirstSeen.entrySet()) {
      if (e.getKey() > 0 && now - e.getValue() < retention) {
        minNeeded = Math.min(minNeeded, e.getKey());
        break;
      }
    }
    // Never beyond the snapshot CURRENT names: an author or reader left behind detects that it
    // was stranded by finding CURRENT ahead of its version (ManifestAppender.ensureFresh).
    List<Long> snapshots = new ArrayList<>(snapshotFirstSeen.keySet());
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
    if (!unreadablePins.isEmpty()) {
      // A pin that was listed but could not be read (unpinned meanwhile, or being replaced: ABFS
      // deletes then renames) may be a history pin holding the window back. Moving the base now
      // would forget the tables of the versions it keeps, for good.
      base = Math.min(base, Math.max(baseSeq, 0));
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
    unmarkAdded(newlyAdded, metas.keySet());
    blobsByTable.keySet().retainAll(liveTables);
    List<String> unreadableLeases = new ArrayList<>();
    Set<String> leased = readLeases(now, grace, unreadableLeases);

    // Mark and sweep tables and blobs.
    List<ObjectInfo> objects = listAll(ManifestPaths.SST_DIR);
    objects.addAll(listAll(ManifestPaths.BLOB_DIR));
    // Item 1 of issue 8: a mark stamped with the pass's start would predate objects uploaded
    // while the pass caught up and read blobs and leases, and could expire before their writer's
    // commit deadline. Every object in the listing was uploaded before this reading.
    long markTime = ctx.clock().millis();
    List<String> unreadable = new ArrayList<>(unreadablePins);
    unreadable.addAll(unreadableLeases);
    boolean sweep = unreadable.isEmpty();
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
              || leased.contains(o.name());
      if (live) {
        marks.remove(o.name());
        continue;
      }
      if (!sweep) {
        continue; // fail closed: an unreadable lease may name this upload
      }
      Long since = marks.get(o.name());
      if (since == null) {
        marks.put(o.name(), markTime);
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

    // Log edits at or below the base once seen for the log retention too, snapshots below it once
    // seen for the grace period.
    List<String> oldManifest = new ArrayList<>();
    int deletedLog = 0;
    int deletedSnaps = 0;
    if (unreadablePins.isEmpty()) {
      // Only edits seen for the log retention as well: the oldest edit younger than that is what
      // holds minNeeded (and the base) back. Deleting it (it can be the base itself) would forget
      // its first sighting, and the next pass would move the base past versions that are still
      // within the log retention and collect their tables.
      long keepFor = Math.max(grace, retention);
      for (Map.Entry<Long, Long> e : logFirstSeen.headMap(base, true).entrySet()) {
        if (e.getKey() > 0 && now - e.getValue() >= keepFor) {
          oldManifest.add(ManifestPaths.log(e.getKey()));
          deletedLog++;
        }
      }
      for (Map.Entry<Long, Long> e : snapshotFirstSeen.headMap(base, false).entrySet()) {
        if (now - e.getValue() >= grace) {
          oldManifest.add(ManifestPaths.snapshot(e.getKey()));
          deletedSnaps++;
        }
      }
    }
    int deadLeases = deleteDeadLeases(now, grace, oldManifest);
    if (!oldManifest.isEmpty()) {
      ctx.store().deleteAll(oldManifest);
      for (String name : oldManifest) {
        long s = ManifestPaths.seqOf(name);
        if (name.startsWith(ManifestPaths.LOG_DIR)) {
          logFirstSeen.remove(s);
        } else if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
          snapshotFirstSeen.remove(s);
        }
      }
    }
    addedBySlot.headMap(base, true).clear();
    persist(now, base);
    int deletedTemporaries = sweepTemporaries(now, grace);
    if (!unreadable.isEmpty()) {
      LOG.warn(
          "gc pass at version {} of {}: could not read {}; {}",
          head.seq(),
          ctx.store().location(),
          unreadable,
          unreadablePins.isEmpty()
              ? "marked and deleted no table or blob (an unreadable lease may name uploads in"
                  + " flight)"
              : "deleted no table, blob, log edit or snapshot (an unreadable pin may hold"
                  + " versions back)");
    }
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
            deadLeases,
            unreadable);
    LOG.info(
        "gc pass at version {} (base {}): {}, {} abandoned temporary files",
        head.seq(),
        base,
        r,
        deletedTemporaries);
    return r;
  }

  /** Records the first sighting of every listed slot; forgets slots no longer listed. */
  private static List<Long> seqsOf(List<ObjectInfo> listing) {
    List<Long> out = new ArrayList<>();
    for (ObjectInfo o : listing) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        out.add(s);
      }
    }
    return out;
  }

  private static void firstSeen(TreeMap<Long, Long> into, List<ObjectInfo> listing, long at) {
    Set<Long> present = new HashSet<>();
    for (ObjectInfo o : listing) {
      long s = ManifestPaths.seqOf(o.name());
      if (s >= 0) {
        present.add(s);
        into.putIfAbsent(s, at);
      }
    }
    into.keySet().retainAll(present);
  }

  /**
   * Unmarks every table an edit read in this pass added, and the blobs it references. A mark set
   * while such a table was an uncommitted upload (or its blob was) measures nothing about the time
   * since it stopped being live: without this, a table committed and removed again between two
   * passes would be deleted as soon as it is dead, with no grace period for readers of the versions
   * that held it (item 14a of issue 8).
   */
  private void unmarkAdded(List<SstMeta> added, Set<String> live) {
    if (added.isEmpty() || marks.isEmpty()) {
      return;
    }
    boolean blobMarks = false;
    for (String name : marks.keySet()) {
      if (name.startsWith(ManifestPaths.BLOB_DIR)) {
        blobMarks = true;
        break;
      }
    }
    for (SstMeta t : added) {
      marks.remove(t.objectName());
      if (!blobMarks || t.blobRefs() == 0) {
        continue;
      }
      Set<String> blobs;
      try {
        blobs = blobsOf(t);
      } catch (IsleException e) {
        // Its blobs are unknown (the table is unreadable or gone): restart every blob mark.
        LOG.warn("cannot read blob references of {}: {}", t.objectName(), e.getMessage());
        marks.keySet().removeIf(n -> n.startsWith(ManifestPaths.BLOB_DIR));
        blobMarks = false;
        continue;
      }
      for (String b : blobs) {
        marks.remove(ManifestPaths.blob(b));
      }
      if (!live.contains(t.id())) {
        blobsByTable.remove(t.id());
      }
    }
  }

  /**
   * Reads new edits since the last pass, remembering the tables each one added (also into {@code
   * added}).
   */
  private void catchUp(List<SstMeta> added) {
    catchUp(added, true);
  }

  private void catchUp(List<SstMeta> added, boolean mayRetry) {
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
                    added.addAll(a.tables());
                  } else if (e.change() instanceof Edit.Compact c) {
                    addedBySlot.put(e.seq(), c.output());
                    added.addAll(c.output());
                  }
                });
    if (head.seq() == 0 && !ctx.manifest().listLog().isEmpty()) {
      if (mayRetry) {
        // Maybe the database is being created right now: its first edit appeared after we found
        // slot 1 free. Look once more before calling it corrupt.
        head = null;
        addedBySlot.clear();
        catchUp(added, false);
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
   * of its ttl and the grace period (GC's own clock: no cross-machine clock comparison). A change
   * is stamped with a reading taken after the read that found it, never before the holder's
   * rewrite. Leases that were listed but could not be read are added to {@code unreadable}.
   */
  private Set<String> readLeases(long now, long grace, List<String> unreadable) {
    Set<String> out = new HashSet<>();
    Set<String> present = new HashSet<>();
    for (ObjectInfo o : listAll(Lease.DIR)) {
      Optional<byte[]> b = ctx.store().get(o.name());
      long readAt = ctx.clock().millis();
      if (b.isEmpty() || b.get().length == 0) {
        // Deleted by its holder after the listing, or being replaced (ABFS deletes the old object
        // before renaming the new one into place): it may name uploads in flight.
        LOG.info(
            "lease {} was listed but reads back {}", o.name(), b.isEmpty() ? "missing" : "empty");
        unreadable.add(o.name());
        continue;
      }
      Lease l;
      try {
        l = Lease.decode(o.name(), b.get());
      } catch (CorruptionException e) {
        // A newer format or a bug: its uploads are unknown, so nothing may be deleted. The lease
        // itself is left alone too (leaseSeen forgets it), for whoever can read it.
        LOG.warn(
            "lease {} is unreadable, no table or blob is collected until it is readable or"
                + " removed: {}",
            o.name(),
            e.getMessage());
        unreadable.add(o.name());
        continue;
      }
      present.add(o.name());
      long[] seen = leaseSeen.get(o.name());
      if (seen == null || seen[0] != l.refresh()) {
        seen = new long[] {l.refresh(), readAt, l.ttlMillis()};
        leaseSeen.put(o.name(), seen);
      }
      if (now - seen[1] < Math.max(grace, l.ttlMillis())) {
        out.addAll(l.objects());
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

  /**
   * Deletes temporary files of staged writes (file://, rename-based schemes) idle for the grace
   * period. The store compares their modification times, stamped by the store's clock, with the
   * cutoff we pass; so the cutoff must be a reading of that same clock, never of ours. Each pass
   * records a witness: the store's modification time of the checkpoint we just wrote, with our
   * clock reading taken after that write returned. A temporary last modified before a witness's
   * store time was idle since before our reading; once our clock is a grace period past that
   * reading, it has been idle for the grace period. Only the order of the store's own timestamps
   * and an interval of our own clock are used. A temporary whose modification time is a grace
   * period before the witness's store time (an interval of the store's own clock) goes at once.
   */
  private int sweepTemporaries(long now, long grace) {
    long writtenBy = ctx.clock().millis();
    Optional<ObjectInfo> witness = ctx.store().stat(ManifestPaths.GC_CHECKPOINT);
    long cutoff = Long.MIN_VALUE;
    if (witness.isPresent()) {
      long storeNow = witness.get().lastModifiedMillis();
      storeWitnesses.addLast(new long[] {writtenBy, storeNow});
      // Idle for the grace period by the store's own clock (a difference of two of its stamps).
      cutoff = storeNow - grace;
    }
    while (!storeWitnesses.isEmpty() && now - storeWitnesses.peekFirst()[0] >= grace) {
      temporaryCutoff = Math.max(temporaryCutoff, storeWitnesses.pollFirst()[1]);
    }
    // Or idle since before a witness at least a grace period old by our clock.
    cutoff = Math.max(cutoff, temporaryCutoff);
    if (cutoff == Long.MIN_VALUE) {
      return 0;
    }
    int deleted = 0;
    for (String dir : List.of(ManifestPaths.SST_DIR, ManifestPaths.BLOB_DIR, "manifest/")) {
      deleted += ctx.store().deleteAbandonedTemporaries(dir, cutoff);
    }
    return deleted;
  }

  private List<ObjectInfo> listAll(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    ctx.store().list(prefix).forEachRemaining(out::add);
    return out;
  }

  // ------------------------------------------------------------------ GC state, for operators

  /**
   * Writes the marks and the progress. Every time in them is a reading of this instance's clock,
   * tagged with the instance ({@code author}, {@code epoch}); no GC reads them back (a new instance
   * starts its clocks afresh), so files of older formats are simply overwritten.
   */
  private void persist(long now, long base) {
    ObjectNode p = ChecksummedJson.object();
    p.put("format", ManifestCodec.FORMAT_VERSION);
    p.put("type", "gc-pending");
    p.put("author", author);
    p.put("epoch", epoch);
    ArrayNode ms = p.putArray("marks");
    new TreeMap<>(marks)
        .forEach((name, since) -> ms.addObject().put("name", name).put("since", since));
    ctx.store().put(ManifestPaths.GC_PENDING, ChecksummedJson.encode(p));
    ObjectNode c = ChecksummedJson.object();
    c.put("format", ManifestCodec.FORMAT_VERSION);
    c.put("type", "gc-checkpoint");
    c.put("author", author);
    c.put("epoch", epoch);
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
