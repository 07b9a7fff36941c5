package io.isledb.db.write;

import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.DbContext;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.db.read.WriterCache;
import io.isledb.db.read.WriterReads;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer: the put path into the active memtable, freezing it, and the public API; the frozen
 * memtables and their {@value #FLUSH_THREADS} background flush threads are its {@link
 * FlushPipeline}. Each frozen memtable is sorted, built into one table and uploaded (blobs first)
 * by one flush thread, concurrently with the next memtable's; the commits (one manifest edit per
 * memtable) are made strictly in memtable order: a flush whose upload finished early waits for the
 * previous memtable's commit. A failed flush fails the writer, its cut and every later cut (their
 * uploads are left to GC); an earlier memtable still flushing commits or fails on its own, and its
 * cut reports which: a cut never reports a failure for a version that was committed (also when the
 * writer is closed meanwhile).
 *
 * <p>Concurrency: puts take a sequence number and append to the memtable under {@code writeLock},
 * and a memtable is frozen under the same lock, so it is frozen only when every sequence number
 * handed out so far is inside it; that keeps each table's sequence range above the previous
 * table's. The memtable is an append-only arena with a hash index, sorted by the flush ({@link
 * Memtable}); {@link #view()} reads it under the write lock ({@link WriterView}).
 */
@Internal
public final class DbWriter extends KindedWrites implements Writer, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbWriter.class);

  /** Memtables built and uploaded at the same time (their commits stay in order). */
  static final int FLUSH_THREADS = 2;

  private final DbContext ctx;
  private final WriterOptions options;
  private final ManifestAppender appender;
  private final WriterCache cache;
  private final FlushCuts cuts;
  private final Object writeLock = new Object();
  // The snapshot and CURRENT writes the open deferred (null when none were due).
  private final CompletableFuture<Void> openSnapshot;
  private final Object readsLock = new Object();
  private final WriterCommits commits;
  private final FlushPipeline pipeline;
  private final AtomicLong nextSeq;
  private final ScheduledExecutorService ticker;
  private final WriterBudget budget;
  private final Runnable leaveSignal;
  private final io.isledb.db.CommitSignal signal;
  private volatile Memtable active;
  private final RoleLifecycle life;
  private WriterReads reads; // created by the first view(), under readsLock

  /** Opens a writer: loads the newest version and fences every earlier writer. */
  public DbWriter(DbContext ctx, WriterOptions options) {
    this(ctx, options, null);
  }

  /** Opens a writer; with {@code restorePin}, rolls back to that pin right after the fence. */
  public DbWriter(DbContext ctx, WriterOptions options, String restorePin) {
    this.life = new RoleLifecycle("writer of " + ctx.store().location());
    this.ctx = ctx;
    this.options = options;
    String author = "writer-" + ctx.newId();
    // The pin is read while the manifest loads: it does not depend on the head (Restore checks it
    // against the head after the fence, as before).
    var pinRead = restorePin == null ? null : Restore.startPinRead(ctx, restorePin);
    this.appender = ctx.appender(Role.WRITER, author);
    long fenceSent = ctx.clock().millis(); // before our own create made the fence the head
    appender.deferSnapshots();
    appender.fence();
    boolean restoreEdit = restorePin != null && Restore.run(ctx, appender, restorePin, pinRead);
    this.cuts =
        new FlushCuts(new FlushCuts.Head(appender.head().seq(), appender.head(), fenceSent));
    this.nextSeq = new AtomicLong(appender.head().lastSeq() + 1);
    this.active = new Memtable(ctx.clock().millis());
    long grace = ctx.options().gcGracePeriod().toMillis();
    this.cache = new WriterCache(ctx.store(), options.cache(), ctx.resources());
    MemtableFlush tables = new MemtableFlush(ctx, options, grace / 4, cache);
    this.commits = new WriterCommits(ctx, options, appender, tables, cache, cuts, grace / 2);
    String name = ctx.store().location();
    ExecutorService flusher = ctx.resources().flushExecutor("isledb-flush " + name, FLUSH_THREADS);
    this.pipeline =
        new FlushPipeline(
            name,
            life,
            commits,
            cuts,
            flusher,
            () -> active.entries(),
            this::released,
            this::leave);
    this.budget = WriterBudget.join(ctx, () -> active, m -> rotate(m, false));
    this.signal = ctx.commitSignal();
    this.leaveSignal = signal.writerOpened();
    signal.l0Observed(appender.head().seq(), appender.head().l0().size(), false);
    Duration interval = options.flushInterval();
    if (interval.isZero()) {
      this.ticker = null;
    } else {
      this.ticker = ctx.resources().maintenanceScheduler("isledb-flush-timer " + name);
      long period = Math.max(10, interval.toMillis() / 4);
      ticker.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }
    // The snapshot the fence made due, or the restored version's (two durable writes each), only
    // speeds up later opens: written off the opening thread, which a restoring Flink task waits on
    // before it serves any record. On the timer's thread when there is one: it runs already, where
    // a flush thread may not yet.
    Runnable deferred =
        restoreEdit
            ? commits::snapshotHead
            : appender.hasDeferredWrites() ? commits::writeDeferred : null;
    if (deferred == null) {
      appender.writeDeferred(); // none due: later appends write them as usual
    }
    this.openSnapshot =
        deferred == null
            ? null
            : CompletableFuture.runAsync(deferred, ticker != null ? ticker : flusher);
    LOG.info(
        "writer {} opened {} at version {} with epoch {}",
        author,
        name,
        commits.lastCommittedVersion(),
        appender.epoch());
  }

  // Called by the pipeline only once the constructor has finished (budget and signal are set).
  private void released(long bytes) {
    budget.released(bytes);
  }

  private void leave() {
    budget.leave();
    leaveSignal.run();
  }

  // ------------------------------------------------------------------ public API

  @Override
  long nowMillis() {
    return ctx.clock().millis();
  }

  @Override
  public void flush() {
    checkUsable();
    Runnable requested = ctx.resources().flushPriority().flushRequested();
    try {
      rotate(active, false);
      pipeline.awaitFlushed();
    } finally {
      requested.run();
    }
    checkUsable();
  }

  @Override
  public io.isledb.CacheStats cacheStats() {
    return cache.tables().cacheStats();
  }

  @Override
  public ReadView view() {
    checkUsable();
    synchronized (readsLock) {
      if (reads == null) {
        reads = new WriterReads(ctx, commits.viewHead(), cache.tables());
      }
      return new WriterView(this, reads, ctx.clock());
    }
  }

  /** For {@link WriterView}: the head to read after {@link #memtables}. */
  ManifestState viewHead() {
    return commits.viewHead();
  }

  /**
   * For {@link WriterView}: {@code read} applied to the active memtable and the frozen memtables
   * (newest first), under the write lock so no put or rotation runs meanwhile. A frozen memtable
   * leaves the list only after its commit set {@link #viewHead()}, so the head read after this
   * holds whatever the list lacks.
   */
  <T> WriterView.Memtables<T> memtables(Function<Memtable, T> read) {
    synchronized (writeLock) {
      return new WriterView.Memtables<>(read.apply(active), pipeline.frozenNewestFirst());
    }
  }

  @Override
  public CompletableFuture<Long> flushAsync() {
    try {
      checkUsable();
    } catch (IsleException e) {
      return CompletableFuture.failedFuture(e);
    }
    // Someone waits for this flush (a checkpoint's cut): compactions pause until it ends.
    Runnable requested = ctx.resources().flushPriority().flushRequested();
    CompletableFuture<Long> f;
    try {
      synchronized (writeLock) { // no put between reading the active memtable and freezing it
        f = rotate(active, true);
      }
    } catch (RuntimeException e) {
      requested.run();
      throw e;
    }
    f.whenComplete((v, e) -> requested.run());
    return f;
  }

  @Override
  public long pinHead(String name, io.isledb.PinOptions options) {
    java.util.Objects.requireNonNull(options, "options");
    checkUsable();
    return FlushCuts.pinHead(ctx, cuts.head(), name, options);
  }

  /** The writer's local read path (open tables and caches), shared with its reads. */
  public io.isledb.db.read.Tables tables() {
    return cache.tables();
  }

  @Override
  public boolean isClosed() {
    return life.isClosed();
  }

  @Override
  public long lastCommittedVersion() {
    return commits.lastCommittedVersion();
  }

  @Override
  public void close() {
    if (life.isClosed()) {
      return;
    }
    try {
      if (pipeline.failure() == null) {
        flush();
      }
    } finally {
      life.markClosed();
      leave();
      if (openSnapshot != null) { // before the executors stop, which would drop it if queued
        life.awaitDone(openSnapshot, "snapshot after the open");
      }
      if (ticker != null) {
        ticker.shutdownNow();
      }
      pipeline.stop();
      if (ticker != null) {
        life.awaitStopped(ticker, "flush timer");
      }
      cache.close();
      synchronized (readsLock) {
        if (reads != null) {
          reads.close();
        }
      }
    }
    IsleException failure = pipeline.failure();
    if (failure != null) {
      throw WriterFailure.rethrow(failure);
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void append(byte[] key, byte[] operand) {
    WriteChecks.checkOperand(key, operand);
    writeEntry(key, operand, ValueKind.APPEND, 0);
  }

  @Override
  void writeEntry(byte[] key, byte[] value, ValueKind kind, long expiresAt) {
    WriteChecks.check(key, value);
    checkUsable();
    pipeline.awaitRoom(options.maxImmutableMemtables());
    checkUsable();
    budget.awaitRoom(this::checkUsable);
    signal.awaitL0Room(this::checkUsable);
    Memtable m;
    boolean full;
    synchronized (writeLock) {
      checkUsable();
      m = active;
      // The memtable copies key and value into its arena: the caller may reuse its arrays.
      long before = m.approximateBytes();
      m.add(key, nextSeq.getAndIncrement(), kind, expiresAt, value, ctx.clock().millis());
      budget.added(m.approximateBytes() - before);
      full = m.approximateBytes() >= options.memtableSize();
    }
    if (full) {
      rotate(m, false);
    }
  }

  /** Throws the writer's failure, or CLOSED (also for {@link WriterView}). */
  void checkUsable() {
    IsleException f = pipeline.failure();
    if (f != null) {
      throw WriterFailure.rethrow(f);
    }
    life.checkOpen();
  }

  /**
   * Freezes {@code expected} if it is still the active, non-empty memtable. With {@code cut},
   * returns the future of the version holding every write accepted so far: the frozen memtable's
   * commit, or when nothing was frozen, the newest frozen memtable still in flight, or the head.
   */
  private CompletableFuture<Long> rotate(Memtable expected, boolean cut) {
    CompletableFuture<Long> f;
    boolean freeze;
    synchronized (writeLock) {
      freeze = active == expected && !expected.isEmpty();
      if (freeze) {
        active = new Memtable(ctx.clock().millis());
      }
      f = pipeline.freeze(freeze ? expected : null, cut);
    }
    if (freeze) {
      pipeline.start(expected);
    }
    return f;
  }

  private void tick() {
    Memtable m = active;
    long first = m.firstAddMillis();
    if (first != Memtable.NOT_ADDED
        && ctx.clock().millis() - first >= options.flushInterval().toMillis()
        && pipeline.failure() == null) {
      try {
        rotate(m, false);
      } catch (RuntimeException e) {
        LOG.warn("interval flush could not start", e);
      }
    }
  }

  /**
   * Commits external tables through this writer's role: flushes first, so every write accepted
   * before the call gets a lower sequence number than the committed tables.
   */
  public io.isledb.CommitResult commitExternal(List<io.isledb.SstHandle> handles, String token) {
    return commitExternal(handles, ExternalCommit.Request.token(token));
  }

  @Override
  public long commitProperties(java.util.Map<String, String> properties) {
    io.isledb.manifest.CommitState.checkProperties(properties);
    return afterFlush(
            () ->
                properties.isEmpty()
                    ? new io.isledb.CommitResult(commits.lastCommittedVersion(), true)
                    : new io.isledb.CommitResult(
                        ExternalCommit.commitProperties(appender, properties), false))
        .version();
  }

  /** Like {@link #commitExternal(List, String)}, for any commit request. */
  public io.isledb.CommitResult commitExternal(
      List<io.isledb.SstHandle> handles, ExternalCommit.Request request) {
    return afterFlush(() -> ExternalCommit.commit(ctx, appender, handles, request));
  }

  /**
   * Flushes, then runs {@code commit} (an append through this writer's role) with puts waiting:
   * they need the write lock, so no sequence number is handed out below the ones the commit
   * assigns, and the returned version holds every write accepted before the call and none after.
   * The flush thread never takes the write lock.
   */
  private io.isledb.CommitResult afterFlush(
      java.util.function.Supplier<io.isledb.CommitResult> commit) {
    synchronized (writeLock) {
      flush();
      try {
        return commits.external(commit, this::checkUsable, nextSeq);
      } catch (FencedException e) {
        pipeline.fail(e, 0); // every memtable is committed (flushed above): no cut is waiting
        throw e;
      }
    }
  }
}
