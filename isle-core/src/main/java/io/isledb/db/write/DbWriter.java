package io.isledb.db.write;

import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.DbContext;
import io.isledb.db.Resource;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ValueKind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer: memtable, frozen memtables waiting for upload, and {@value #FLUSH_THREADS} background
 * flush threads. Each frozen memtable is sorted, built into one table and uploaded (blobs first) by
 * one flush thread, concurrently with the next memtable's; the commits (one manifest edit per
 * memtable) are made strictly in memtable order: a flush whose upload finished early waits for the
 * previous memtable's commit. A failed flush fails the writer, and the later uploads are left to
 * GC.
 *
 * <p>Concurrency: puts take a sequence number and append to the memtable under {@code writeLock},
 * and a memtable is frozen under the same lock, so it is frozen only when every sequence number
 * handed out so far is inside it; that keeps each table's sequence range above the previous
 * table's. The memtable is an append-only arena sorted once by the flush ({@link Memtable}).
 */
public final class DbWriter extends KindedWrites implements Writer, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbWriter.class);

  /** Memtables built and uploaded at the same time (their commits stay in order). */
  static final int FLUSH_THREADS = 2;

  private final DbContext ctx;
  private final WriterOptions options;
  private final ManifestAppender appender;
  private final MemtableFlush tables;
  private final long commitDeadlineMillis;
  private final Object writeLock = new Object();
  private final Object monitor = new Object();
  private final Object appendLock = new Object();
  private final ArrayDeque<Memtable> frozen = new ArrayDeque<>();
  private volatile int frozenCount; // frozen.size(), readable without the monitor
  private final AtomicLong nextSeq;
  private final ExecutorService flusher;
  private final ScheduledExecutorService ticker;
  private final WriterBudget budget;
  private final io.isledb.db.CommitSignal signal;
  private final Runnable leaveSignal;
  private volatile Memtable active;
  private long rotatedGeneration;
  private long flushedGeneration;
  private volatile IsleException failure;
  private volatile boolean closed;
  private volatile long lastCommittedVersion;

  /** Opens a writer: loads the newest version and fences every earlier writer. */
  public DbWriter(DbContext ctx, WriterOptions options) {
    this.ctx = ctx;
    this.options = options;
    String author = "writer-" + ctx.newId();
    this.appender = ctx.appender(Role.WRITER, author);
    appender.fence();
    this.lastCommittedVersion = appender.head().seq();
    this.nextSeq = new AtomicLong(appender.head().lastSeq() + 1);
    this.active = new Memtable(ctx.clock().millis());
    long grace = ctx.options().gcGracePeriod().toMillis();
    this.commitDeadlineMillis = grace / 2;
    this.tables = new MemtableFlush(ctx, options, grace / 4);
    String name = ctx.store().location();
    this.flusher = ctx.resources().flushExecutor("isledb-flush " + name, FLUSH_THREADS);
    this.budget = WriterBudget.join(ctx, () -> active, this::rotate);
    this.signal = ctx.commitSignal();
    this.leaveSignal = signal.writerOpened();
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
        lastCommittedVersion,
        appender.epoch());
  }

  public static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
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
    rotate(active);
    synchronized (monitor) {
      target = rotatedGeneration;
      while (flushedGeneration < target && failure == null) {
        waitOn();
      }
    }
    checkUsable();
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public long lastCommittedVersion() {
    return lastCommittedVersion;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        flush();
      }
    } finally {
      closed = true;
      budget.leave();
      leaveSignal.run();
      flusher.shutdownNow();
      if (ticker != null) {
        ticker.shutdownNow();
      }
      synchronized (monitor) {
        monitor.notifyAll();
      }
    }
    if (failure != null) {
      throw rethrow(failure);
    }
  }

  // ------------------------------------------------------------------ writes

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
      rotate(m);
    }
  }

  private void awaitRoom() {
    if (frozenCount < options.maxImmutableMemtables() && failure == null && !closed) {
      return;
    }
    synchronized (monitor) {
      while (frozen.size() >= options.maxImmutableMemtables() && failure == null && !closed) {
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

  private void checkUsable() {
    IsleException f = failure;
    if (f != null) {
      throw rethrow(f);
    }
    if (closed) {
      throw IsleException.closed("writer of " + ctx.store().location());
    }
  }

  /** A new exception of the same type, so the caller's stack shows up too. */
  private static IsleException rethrow(IsleException f) {
    if (f instanceof FencedException) {
      return new FencedException(f.getMessage(), f);
    }
    return new IsleException(f.kind(), f.getMessage(), f);
  }

  /** Freezes {@code expected} if it is still the active, non-empty memtable. */
  private void rotate(Memtable expected) {
    synchronized (writeLock) {
      if (active != expected || expected.isEmpty()) {
        return;
      }
      active = new Memtable(ctx.clock().millis());
      synchronized (monitor) {
        expected.setGeneration(++rotatedGeneration);
        frozen.addLast(expected);
        frozenCount = frozen.size();
      }
    }
    flusher.execute(() -> flushTask(expected));
  }

  private void tick() {
    Memtable m = active;
    long first = m.firstAddMillis();
    if (first != Memtable.NOT_ADDED
        && ctx.clock().millis() - first >= options.flushInterval().toMillis()
        && failure == null) {
      try {
        rotate(m);
      } catch (RuntimeException e) {
        LOG.warn("interval flush could not start", e);
      }
    }
  }

  // ------------------------------------------------------------------ flushing

  /** Builds, uploads and (in memtable order) commits one frozen memtable. */
  private void flushTask(Memtable m) {
    synchronized (monitor) {
      if (failure != null) {
        return;
      }
    }
    try {
      flushOne(m);
    } catch (Throwable t) {
      if (failure == null) { // else an earlier memtable's flush failed, and this one waited for it
        fail(t);
      }
      return;
    }
    synchronized (monitor) {
      Memtable first = frozen.removeFirst();
      if (first != m) {
        throw IsleException.internal("flushes committed out of order");
      }
      frozenCount = frozen.size();
      flushedGeneration = m.generation();
      monitor.notifyAll();
    }
    budget.released(m.approximateBytes());
  }

  /** Waits until every memtable frozen before {@code m} is committed. */
  private void awaitTurn(Memtable m) {
    synchronized (monitor) {
      while (flushedGeneration < m.generation() - 1) {
        IsleException f = failure;
        if (f != null) {
          throw rethrow(f);
        }
        waitOn();
      }
    }
  }

  private void flushOne(Memtable m) {
    long backoff = 100;
    for (int attempt = 0; ; attempt++) {
      try {
        long started = ctx.clock().millis();
        List<SstMeta> uploaded = tables.writeTable(m);
        awaitTurn(m);
        commit(uploaded, m.minSeq(), m.maxSeq(), started);
        return;
      } catch (IsleException e) {
        if (e.kind() != IsleException.Kind.UNAVAILABLE
            || attempt >= options.flushRetries()
            || closed
            || failure != null) {
          throw e;
        }
        LOG.warn(
            "flush of {} entries failed (attempt {}), retrying in {} ms: {}",
            m.entries(),
            attempt + 1,
            backoff,
            e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /**
   * Commits uploaded tables with one edit. Refuses (so the caller re-uploads) when the uploads are
   * older than half the GC grace period: GC may collect unreferenced objects after the full grace.
   * The deadline holds for every create request of the append, retries and later slots included
   * (the appender checks it before sending each), not only for the first attempt: a slow, failed
   * attempt followed by a retry could otherwise commit tables GC has deleted meanwhile.
   */
  private void commit(List<SstMeta> tables, long firstSeq, long lastSeq, long uploadStarted) {
    long lsn = -1;
    if (ctx.options().lsnExtractor() != null && !tables.isEmpty()) {
      OptionalLong l =
          ctx.options().lsnExtractor().extract(tables.get(tables.size() - 1).largestKey());
      lsn = l.orElse(-1);
    }
    long committedLsn = lsn;
    synchronized (appendLock) {
      ManifestAppender.Appended a =
          appender.append(
              state -> {
                // Already committed by an earlier attempt whose response was lost, maybe with
                // other tables (each attempt uploads anew) and maybe compacted away since. This
                // writer holds the newest writer epoch (the appender checked before calling us), so
                // nobody else assigns sequence numbers: if the log has reached this memtable's
                // first one, the memtable is in. Adding it again would be refused as a conflict
                // (its numbers are not above the log's), failing a flush that in fact succeeded.
                if (state.lastSeq() >= firstSeq) {
                  return Optional.empty();
                }
                return Optional.of(new Edit.AddTables(tables, lastSeq, committedLsn));
              },
              null,
              () -> uploadStarted + commitDeadlineMillis);
      lastCommittedVersion = a.version();
    }
    signal.committed();
  }

  private void fail(Throwable t) {
    long lostEntries;
    synchronized (monitor) {
      lostEntries = active.entries();
      for (Memtable m : frozen) {
        lostEntries += m.entries();
      }
    }
    String lost =
        lostEntries == 0
            ? "no accepted write was lost"
            : lostEntries + " accepted writes that were not yet flushed are lost";
    IsleException f;
    if (t instanceof FencedException fe) {
      f =
          new FencedException(
              "writer of "
                  + ctx.store().location()
                  + " was fenced; "
                  + lost
                  + " ("
                  + fe.getMessage()
                  + ")",
              fe);
    } else if (t instanceof IsleException ie) {
      f =
          new IsleException(
              ie.kind(),
              "background flush of "
                  + ctx.store().location()
                  + " failed; "
                  + lost
                  + ": "
                  + ie.getMessage(),
              ie);
    } else {
      f =
          IsleException.internal(
              "background flush of " + ctx.store().location() + " failed; " + lost, t);
    }
    LOG.error("writer failed", f);
    budget.leave();
    leaveSignal.run();
    synchronized (monitor) {
      if (failure == null) { // the first failure is the one every caller sees
        failure = f;
      }
      monitor.notifyAll();
    }
  }

  /**
   * Commits external tables through this writer's role: flushes first, so every write accepted
   * before the call gets a lower sequence number than the committed tables.
   */
  public io.isledb.CommitResult commitExternal(List<io.isledb.SstHandle> handles, String token) {
    // Puts wait (they need the write lock) so no sequence number is handed out below the ones
    // the commit assigns. The flush thread never takes the write lock.
    synchronized (writeLock) {
      flush();
      synchronized (appendLock) {
        checkUsable();
        try {
          io.isledb.CommitResult r = ExternalCommit.commit(ctx, appender, handles, token);
          nextSeq.accumulateAndGet(appender.head().lastSeq() + 1, Math::max);
          lastCommittedVersion = Math.max(lastCommittedVersion, r.version());
          signal.committed();
          return r;
        } catch (FencedException e) {
          fail(e);
          throw e;
        }
      }
    }
  }
}
