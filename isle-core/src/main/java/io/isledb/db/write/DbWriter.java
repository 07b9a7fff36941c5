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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
 * The writer: memtable, frozen memtables waiting for upload, and {@value #FLUSH_THREADS} background
 * flush threads. Each frozen memtable is sorted, built into one table and uploaded (blobs first) by
 * one flush thread, concurrently with the next memtable's; the commits (one manifest edit per
 * memtable) are made strictly in memtable order: a flush whose upload finished early waits for the
 * previous memtable's commit. A failed flush fails the writer, its cut and every later cut (their
 * uploads are left to GC); an earlier memtable still flushing commits or fails on its own, and its
 * cut reports which: a cut never reports a failure for a version that was committed.
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
  private final Object monitor = new Object();
  private final WriterCommits commits;
  private final ArrayDeque<Memtable> frozen = new ArrayDeque<>();
  private volatile int frozenCount; // frozen.size(), readable without the monitor
  private final AtomicLong nextSeq;
  private final ExecutorService flusher;
  private final ScheduledExecutorService ticker;
  private final WriterBudget budget;
  private final Runnable leaveSignal;
  private volatile Memtable active;
  private long rotatedGeneration;
  private long flushedGeneration;
  private volatile IsleException failure;
  // The oldest generation that will not be committed (its flush, or an earlier one, failed);
  // Long.MAX_VALUE while none failed. Written under the monitor.
  private volatile long failedFrom = Long.MAX_VALUE;
  private final RoleLifecycle life;
  private WriterReads reads; // created by the first view(), under the monitor
  // Set on a flush thread: a close there (from a stage of a cut) cannot wait for its own flush.
  private final ThreadLocal<Boolean> flushing = new ThreadLocal<>();

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
    this.appender = ctx.appender(Role.WRITER, author);
    long fenceSent = ctx.clock().millis(); // before our own create made the fence the head
    appender.fence();
    if (restorePin != null) {
      Restore.run(ctx, appender, restorePin);
    }
    this.cuts =
        new FlushCuts(new FlushCuts.Head(appender.head().seq(), appender.head(), fenceSent));
    this.nextSeq = new AtomicLong(appender.head().lastSeq() + 1);
    this.active = new Memtable(ctx.clock().millis());
    long grace = ctx.options().gcGracePeriod().toMillis();
    this.cache = new WriterCache(ctx.store(), options.cache(), ctx.resources());
    MemtableFlush tables = new MemtableFlush(ctx, options, grace / 4, cache);
    this.commits = new WriterCommits(ctx, options, appender, tables, cache, cuts, grace / 2);
    String name = ctx.store().location();
    this.flusher = ctx.resources().flushExecutor("isledb-flush " + name, FLUSH_THREADS);
    this.budget = WriterBudget.join(ctx, () -> active, m -> rotate(m, false));
    this.leaveSignal = ctx.commitSignal().writerOpened();
    Duration interval = options.flushInterval();
    if (interval.isZero()) {
      this.ticker = null;
    } else {
      this.ticker = ctx.resources().maintenanceScheduler("isledb-flush-timer " + name);
      long period = Math.max(10, interval.toMillis() / 4);
      ticker.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }
    LOG.info(
        "writer {} opened {} at version {} with epoch {}",
        author,
        name,
        commits.lastCommittedVersion(),
        appender.epoch());
  }

  // ------------------------------------------------------------------ public API

  @Override
  long nowMillis() {
    return ctx.clock().millis();
  }

  @Override
  public void flush() {
    checkUsable();
    long target;
    rotate(active, false);
    synchronized (monitor) {
      target = rotatedGeneration;
      while (flushedGeneration < target && failure == null) {
        waitOn();
      }
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
    synchronized (monitor) {
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
      List<Memtable> f = List.of();
      if (frozenCount > 0) {
        synchronized (monitor) {
          f = new ArrayList<>(frozen);
        }
        Collections.reverse(f);
      }
      return new WriterView.Memtables<>(read.apply(active), f);
    }
  }

  @Override
  public CompletableFuture<Long> flushAsync() {
    try {
      checkUsable();
    } catch (IsleException e) {
      return CompletableFuture.failedFuture(e);
    }
    synchronized (writeLock) { // no put between reading the active memtable and freezing it
      return rotate(active, true);
    }
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
      if (failure == null) {
        flush();
      }
    } finally {
      life.markClosed();
      budget.leave();
      leaveSignal.run();
      flusher.shutdownNow();
      if (ticker != null) {
        ticker.shutdownNow();
      }
      // A failed writer's later flushes may still be uploading: close returns once they ended,
      // so nothing of the writer is written after it (docs/isle-core.md, "Lifecycle").
      if (!Boolean.TRUE.equals(flushing.get())) {
        life.awaitStopped(flusher, "flushes");
      }
      if (ticker != null) {
        life.awaitStopped(ticker, "flush timer");
      }
      cache.close();
      synchronized (monitor) {
        monitor.notifyAll();
        if (reads != null) {
          reads.close();
        }
      }
    }
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
    awaitRoom();
    budget.awaitRoom(this::checkUsable);
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

  private void awaitRoom() {
    if (frozenCount < options.maxImmutableMemtables() && failure == null && !life.isClosed()) {
      return;
    }
    synchronized (monitor) {
      while (frozen.size() >= options.maxImmutableMemtables()
          && failure == null
          && !life.isClosed()) {
        waitOn();
      }
    }
    checkUsable();
  }

  private void waitOn() {
    try {
      monitor.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IsleException(
          IsleException.Kind.UNAVAILABLE, "interrupted while waiting for a flush", e);
    }
  }

  /** Throws the writer's failure, or CLOSED (also for {@link WriterView}). */
  void checkUsable() {
    IsleException f = failure;
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
    CompletableFuture<Long> f = null;
    boolean freeze;
    synchronized (writeLock) {
      freeze = active == expected && !expected.isEmpty();
      if (freeze) {
        active = new Memtable(ctx.clock().millis());
      }
      synchronized (monitor) {
        if (freeze) {
          expected.setGeneration(++rotatedGeneration);
          frozen.addLast(expected);
          frozenCount = frozen.size();
        }
        if (cut) {
          f =
              cuts.cut(
                  failure, frozen.isEmpty(), commits.lastCommittedVersion(), rotatedGeneration);
        }
      }
    }
    if (freeze) {
      flusher.execute(() -> flushTask(expected));
    }
    return f;
  }

  private void tick() {
    Memtable m = active;
    long first = m.firstAddMillis();
    if (first != Memtable.NOT_ADDED
        && ctx.clock().millis() - first >= options.flushInterval().toMillis()
        && failure == null) {
      try {
        rotate(m, false);
      } catch (RuntimeException e) {
        LOG.warn("interval flush could not start", e);
      }
    }
  }

  // ------------------------------------------------------------------ flushing

  /** Builds, uploads and (in memtable order) commits one frozen memtable. */
  private void flushTask(Memtable m) {
    flushing.set(Boolean.TRUE);
    try {
      flushMemtable(m);
    } finally {
      flushing.remove();
    }
  }

  private void flushMemtable(Memtable m) {
    if (failedFrom <= m.generation()) {
      return; // this memtable's cut has failed with the writer
    }
    long version;
    try {
      version =
          commits.flushOne(
              m, () -> awaitTurn(m), () -> life.isClosed() || failedFrom <= m.generation());
    } catch (Throwable t) {
      fail(t, m.generation());
      return;
    }
    CompletableFuture<Long> cut;
    synchronized (monitor) {
      Memtable first = frozen.removeFirst();
      if (first != m) {
        throw IsleException.internal("flushes committed out of order");
      }
      frozenCount = frozen.size();
      flushedGeneration = m.generation();
      cut = cuts.committed(m.generation());
      monitor.notifyAll();
    }
    if (cut != null) {
      cut.complete(version); // outside the monitor: dependent stages may call the writer
    }
    budget.released(m.approximateBytes());
  }

  /**
   * Waits until every memtable frozen before {@code m} is committed; throws the writer's failure if
   * one of them failed. A failure of a later memtable does not stop {@code m}.
   */
  private void awaitTurn(Memtable m) {
    synchronized (monitor) {
      while (flushedGeneration < m.generation() - 1) {
        if (failedFrom < m.generation()) {
          throw WriterFailure.rethrow(failure);
        }
        waitOn();
      }
    }
  }

  /**
   * Fails the writer because of {@code t}, and the cuts of generation {@code from} on: the memtable
   * of that generation will not be committed, so neither will any later one. The memtables before
   * it still in flight go on, and their cuts complete with what happens to them. The first failure
   * is the one every caller sees; its message counts the writes from {@code from} on as lost.
   */
  private void fail(Throwable t, long from) {
    IsleException f = null;
    if (failure == null) {
      long lostEntries;
      synchronized (monitor) {
        lostEntries = active.entries();
        for (Memtable m : frozen) {
          lostEntries += m.generation() >= from ? m.entries() : 0;
        }
      }
      f = WriterFailure.of(t, ctx.store().location(), lostEntries);
    }
    List<CompletableFuture<Long>> failedCuts;
    IsleException first;
    boolean firstFailure;
    synchronized (monitor) {
      if (failedFrom <= from) {
        return; // an earlier memtable's flush failed, this one waited for it: its cut has failed
      }
      firstFailure = failure == null && f != null;
      if (firstFailure) {
        failure = f;
      }
      first = failure;
      failedFrom = from;
      failedCuts = cuts.failFrom(from);
      monitor.notifyAll();
    }
    if (firstFailure) {
      LOG.error("writer failed", first);
      budget.leave();
      leaveSignal.run();
    } else {
      LOG.error("writer failed before, and now an earlier memtable's flush too", t);
    }
    FlushCuts.failEach(failedCuts, first);
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
        fail(e, 0); // every memtable is committed (flushed above): no cut is waiting
        throw e;
      }
    }
  }
}
