package io.isledb.db.gc;

import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.ObjectInfo;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.manifest.GcState;
import io.isledb.manifest.GcStateCodec;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
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
 *       processes abandoned (idle for the grace period, see {@link
 *       GcLogCollection#sweepTemporaries}).
 *   <li>Writes its marks ({@code manifest/gc/pending-sst/pending.json}) and progress ({@code
 *       manifest/gc/checkpoint.json}) for operators. They are never read back: every time in them
 *       is a reading of this instance's clock, which another instance (another host) cannot compare
 *       with its own, so a new instance starts every clock afresh (deletions are delayed by one
 *       grace period, nothing is deleted early).
 * </ol>
 *
 * <p>The phases are {@link GcWindow} (catch-up, retained window and base), {@link GcLiveSet} (live
 * tables and blobs), {@link GcLeases} (live and dead leases), {@link GcSweep} (marks and sweep) and
 * {@link GcLogCollection} (log edits, snapshots, temporaries); what it writes is a {@link GcState}.
 *
 * <p>Every time this class compares is a reading of its own clock ({@link DbContext#clock()}); the
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
@Internal
public final class DbGarbageCollector implements GarbageCollector, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbGarbageCollector.class);

  private final DbContext ctx;
  private final GcOptions options;
  private final String author;
  private final long epoch;
  private final ScheduledExecutorService executor;
  private final RoleLifecycle life;
  private final Object requestLock = new Object();
  private java.util.concurrent.CompletableFuture<GcResult> requested; // guarded by requestLock

  // The phases' state, kept from pass to pass (every time in it is a reading of ctx.clock()).
  private final GcWindow window;
  private final GcLiveSet liveSet;
  private final GcLeases leases;
  private final GcSweep sweep = new GcSweep();
  private final GcIdleListing listing = new GcIdleListing();
  private final GcLogCollection logs;
  private final GcForks forks;
  private final GcRetirement retirement;
  // Set on the collector's own threads: a close there (a stage of a requested pass) cannot wait
  // for itself.
  private final ThreadLocal<Boolean> onOwnThread = new ThreadLocal<>();

  public DbGarbageCollector(DbContext ctx, GcOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.author = "gc-" + ctx.newId();
    ManifestAppender appender = ctx.appender(Role.GC, author);
    this.epoch = appender.fence();
    this.window = new GcWindow(ctx, epoch);
    this.liveSet = new GcLiveSet(ctx);
    this.leases = new GcLeases(ctx);
    this.logs = new GcLogCollection(ctx);
    this.forks = new GcForks(ctx);
    this.retirement = new GcRetirement(ctx);
    // Shared: on the compaction pool (long passes), not the maintenance pool (short timers).
    this.executor = ctx.resources().compactionScheduler("isledb-gc " + ctx.store().location(), 1);
    this.life = new RoleLifecycle("garbage collector of " + ctx.store().location());
  }

  @Override
  public synchronized void startAfter(java.time.Duration delay) {
    RoleLifecycle.checkStartDelay(delay, "garbage collector");
    life.startLoop(
        executor,
        delay,
        options.interval(),
        "gc of " + ctx.store().location(),
        () -> onOwn(this::runOnce));
  }

  @Override
  public java.util.concurrent.CompletableFuture<GcResult> requestPass() {
    synchronized (requestLock) {
      life.checkOpen();
      if (requested != null) {
        return requested; // not started yet: this request is served by it
      }
      java.util.concurrent.CompletableFuture<GcResult> pass =
          new java.util.concurrent.CompletableFuture<>();
      requested = pass;
      try {
        executor.execute(
            () ->
                onOwn(
                    () -> {
                      synchronized (requestLock) {
                        requested = null; // a request from now on needs a pass after this one
                      }
                      try {
                        pass.complete(runOnce());
                      } catch (RuntimeException | Error e) {
                        pass.completeExceptionally(e);
                      }
                    }));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        requested = null;
        pass.completeExceptionally(life.closedException());
      }
      return pass;
    }
  }

  @Override
  public synchronized GcResult runOnce() {
    life.checkOpen();
    if (retirement.deleted()) {
      // The prefix is gone (retired and deleted whole by an earlier pass): nothing to collect.
      return new GcResult(window.head().seq(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
    }
    // Read before anything else: a deletion needs now >= mark + grace, so the head read below
    // comes after the mark's grace period (the commit-deadline argument, PROTOCOL.md section 7).
    long now = ctx.clock().millis();
    long grace = ctx.options().gcGracePeriod().toMillis();

    // 1. Catch up with the log (left behind? fenced?).
    List<SstMeta> newlyAdded = new ArrayList<>();
    List<ObjectInfo> snapshotObjects = window.catchUp(newlyAdded);
    if (window.head().retired()) {
      return retiredPass(now, grace, snapshotObjects);
    }

    // 2. Retained window and base. First sightings are stamped after the listings.
    List<String> unreadablePins = new ArrayList<>();
    List<ManifestCodec.Pin> pins =
        PinHolds.held(
            ctx.store(),
            ctx.manifestStore(),
            PinExpiry.honoured(
                ctx.manifestStore(), Pins.read(ctx.manifestStore(), unreadablePins), now, grace));
    logs.sawListings(
        ctx.manifestStore().list(ManifestPaths.LOG_DIR), snapshotObjects, ctx.clock().millis());
    long base =
        window.retain(
            pins,
            logs.oldestRecentSlot(now, ctx.options().logRetention().toMillis()),
            logs.snapshots(),
            !unreadablePins.isEmpty(),
            now);

    // 3. Live set: tables and blobs, then leases.
    GcLiveSet.Live live = liveSet.compute(window, base, pins);
    sweep.unmarkAdded(newlyAdded, live.tables().keySet(), liveSet);
    liveSet.retainOnly(live.tables().keySet());
    List<String> unreadable = new ArrayList<>(unreadablePins);
    Lease.Coverage leased =
        leases.read(ctx.manifestStore().list(Lease.DIR), now, grace, unreadable);

    // 4. Mark and sweep tables and blobs. Item 1 of issue 8: a mark stamped with the pass's start
    // would predate objects uploaded while the pass caught up and read blobs and leases, and could
    // expire before their writer's commit deadline. Every object in the listing was uploaded
    // before the reading taken after it.
    GcSweep.Swept swept;
    if (listing.unchanged(live, sweep.marked(), unreadable.isEmpty(), now, grace)) {
      swept = GcSweep.Swept.SKIPPED;
    } else {
      List<ObjectInfo> objects = listAll(ctx, ManifestPaths.SST_DIR);
      objects.addAll(listAll(ctx, ManifestPaths.BLOB_DIR));
      long markTime = ctx.clock().millis();
      swept =
          sweep.markAndSweep(
              ctx.store(), objects, live, leased, markTime, now, grace, unreadable.isEmpty());
      listing.listed(live, swept.unreferenced() == 0 && unreadable.isEmpty(), now);
    }

    // Forks (PROTOCOL.md section 9): release sources nothing live lives in any more, and remove
    // pins of forks that never came to be. Like table deletion, only when every lease and pin was
    // read.
    forks.releaseSources(window.head(), live.tables(), now, grace, unreadable.isEmpty());
    if (unreadable.isEmpty()) {
      forks.removeStrayPins(pins, now, grace);
    }

    // 5. Log edits, snapshots, dead leases (one bulk delete), GC state, temporaries.
    List<String> oldManifest = new ArrayList<>();
    GcLogCollection.Collected collected =
        unreadablePins.isEmpty()
            ? logs.collectible(
                base, now, grace, ctx.options().logRetention().toMillis(), oldManifest)
            : new GcLogCollection.Collected(0, 0);
    int deadLeases = leases.collectDead(now, grace, oldManifest);
    logs.delete(oldManifest);
    window.forgetUpTo(base);
    persist(now, base);
    int deletedTemporaries = logs.sweepTemporaries(now, grace);
    return report(
        base,
        live,
        swept,
        collected,
        deadLeases,
        deletedTemporaries,
        unreadable,
        unreadablePins.isEmpty());
  }

  /**
   * A pass over a retired database (PROTOCOL.md section 9, "Retired sources"): pins only (expired
   * ones deleted, stray fork pins removed), the head's snapshot, and the deletion of the whole
   * prefix once it is due. No table is read or marked: a GC killed during the deletion leaves
   * tables of the head missing, and what died before the retirement goes with the prefix.
   */
  private GcResult retiredPass(long now, long grace, List<ObjectInfo> snapshotObjects) {
    List<String> unreadable = new ArrayList<>();
    List<ManifestCodec.Pin> pins =
        PinHolds.held(
            ctx.store(),
            ctx.manifestStore(),
            PinExpiry.honoured(
                ctx.manifestStore(), Pins.read(ctx.manifestStore(), unreadable), now, grace));
    if (unreadable.isEmpty()) {
      forks.removeStrayPins(pins, now, grace);
    }
    ManifestState head = window.head();
    if (snapshotObjects.stream().noneMatch(o -> ManifestPaths.seqOf(o.name()) == head.seq())) {
      // The deletion removes this snapshot last: until then every load finds the retirement.
      ctx.manifest().writeSnapshot(head, now);
      ctx.manifest()
          .writeCurrent(
              new ManifestCodec.Current(
                  head.seq(), head.seq(), head.maxCommittedLsn(), head.lowWatermarkLsn(), now));
    }
    int deleted =
        retirement.maybeDelete(head, now, Math.max(grace, ctx.options().logRetention().toMillis()));
    LOG.info(
        "gc pass at version {} of the retired {}: {} objects deleted, {} pins",
        head.seq(),
        ctx.store().location(),
        deleted,
        pins.size());
    return new GcResult(head.seq(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, unreadable);
  }

  private GcResult report(
      long base,
      GcLiveSet.Live live,
      GcSweep.Swept swept,
      GcLogCollection.Collected collected,
      int deadLeases,
      int deletedTemporaries,
      List<String> unreadable,
      boolean pinsRead) {
    long version = window.head().seq();
    if (!unreadable.isEmpty()) {
      LOG.warn(
          "gc pass at version {} of {}: could not read {}; {}",
          version,
          ctx.store().location(),
          unreadable,
          pinsRead
              ? "marked and deleted no table or blob (an unreadable lease may name uploads in"
                  + " flight)"
              : "deleted no table, blob, log edit or snapshot (an unreadable pin may hold"
                  + " versions back)");
    }
    GcResult r =
        new GcResult(
            version,
            live.tables().size(),
            live.blobs().size(),
            swept.newlyMarked(),
            sweep.marked(),
            swept.deletedTables(),
            swept.deletedBlobs(),
            swept.deletedBytes(),
            collected.logEdits(),
            collected.snapshots(),
            deadLeases,
            unreadable);
    LOG.info(
        "gc pass at version {} (base {}): {}, {} abandoned temporary files",
        version,
        base,
        r,
        deletedTemporaries);
    return r;
  }

  /** Every table or blob object under {@code prefix} (manifest entries: ctx.manifestStore()). */
  static List<ObjectInfo> listAll(DbContext ctx, String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    ctx.store().list(prefix).forEachRemaining(out::add);
    return out;
  }

  /**
   * Writes the marks and the progress. Every time in them is a reading of this instance's clock,
   * tagged with the instance ({@code author}, {@code epoch}); no GC reads them back (a new instance
   * starts its clocks afresh), so files of older or newer formats are simply overwritten.
   */
  private void persist(long now, long base) {
    ctx.manifestStore()
        .put(
            ManifestPaths.GC_PENDING,
            GcStateCodec.encode(new GcState.Pending(author, epoch, sweep.marks())));
    ctx.manifestStore()
        .put(
            ManifestPaths.GC_CHECKPOINT,
            GcStateCodec.encode(
                new GcState.Checkpoint(
                    author, epoch, now, window.head().seq(), base, leases.observations())));
  }

  @Override
  public boolean isClosed() {
    return life.isClosed();
  }

  @Override
  public void close() {
    if (!life.markClosed()) {
      return;
    }
    executor.shutdownNow();
    synchronized (requestLock) {
      if (requested != null) {
        requested.completeExceptionally(life.closedException());
        requested = null;
      }
    }
    // A running pass is covered by the lock below, but not what runs after it on the collector's
    // threads (the stages of a requested pass): close returns once they ended too.
    if (!Boolean.TRUE.equals(onOwnThread.get())) {
      life.awaitStopped(executor, "passes");
    }
    synchronized (this) {
      liveSet.close();
    }
  }

  private void onOwn(Runnable work) {
    onOwnThread.set(Boolean.TRUE);
    try {
      work.run();
    } finally {
      onOwnThread.remove();
    }
  }
}
