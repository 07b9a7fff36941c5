package io.isledb.db;

import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.Compression;
import io.isledb.sst.TableOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer: memtable, frozen memtables waiting for upload, one background flush thread that
 * uploads blobs and one table per memtable and commits it with a manifest edit, in memtable order.
 *
 * <p>Concurrency: puts hold the read side of {@code rotation} while they take a sequence number and
 * insert, so a memtable is frozen (write side) only when every sequence number handed out so far is
 * inside it; that keeps each table's sequence range above the previous table's.
 */
public final class DbWriter implements Writer {
  private static final Logger LOG = LoggerFactory.getLogger(DbWriter.class);

  private final DbContext ctx;
  private final WriterOptions options;
  private final ManifestAppender appender;
  private final Blobs blobs;
  private final Blobs.RecentUploads recentBlobs;
  private final long commitDeadlineMillis;
  private final ReentrantReadWriteLock rotation = new ReentrantReadWriteLock();
  private final Object monitor = new Object();
  private final Object appendLock = new Object();
  private final ArrayDeque<Memtable> frozen = new ArrayDeque<>();
  private final AtomicLong nextSeq;
  private final ExecutorService flusher;
  private final ScheduledExecutorService ticker;
  private volatile Memtable active = new Memtable(System.nanoTime());
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
    this.blobs = new Blobs(ctx.store());
    long grace = ctx.options().gcGracePeriod().toMillis();
    this.commitDeadlineMillis = grace / 2;
    this.recentBlobs = new Blobs.RecentUploads(grace / 4);
    String name = ctx.store().location();
    this.flusher = Executors.newSingleThreadExecutor(daemon("isledb-flush " + name));
    Duration interval = options.flushInterval();
    if (interval.isZero()) {
      this.ticker = null;
    } else {
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(daemon("isledb-flush-timer " + name));
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

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ------------------------------------------------------------------ public API

  @Override
  public void put(byte[] key, byte[] value) {
    write(key, value, ValueKind.PUT, 0);
  }

  @Override
  public void put(byte[] key, byte[] value, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw IsleException.invalidArgument(
          "ttl for key " + Bytes.describe(key) + " must be positive, got " + ttl);
    }
    long now = ctx.clock().millis();
    long expires;
    try {
      expires = Math.addExact(now, ttl.toMillis());
    } catch (ArithmeticException e) {
      expires = Long.MAX_VALUE;
    }
    write(key, value, ValueKind.PUT_EXPIRING, expires);
  }

  @Override
  public void delete(byte[] key) {
    write(key, new byte[0], ValueKind.DELETE, 0);
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

  /** Whether {@link #close()} was called. */
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

  private void write(byte[] key, byte[] value, ValueKind kind, long expiresAt) {
    if (key == null) {
      throw IsleException.invalidArgument("key must not be null");
    }
    if (value == null) {
      throw IsleException.invalidArgument(
          "value for key " + Bytes.describe(key) + " must not be null");
    }
    if (key.length > WriterOptions.MAX_KEY_SIZE) {
      throw IsleException.invalidArgument(
          "key "
              + Bytes.describe(key)
              + " is "
              + key.length
              + " bytes; the limit is "
              + WriterOptions.MAX_KEY_SIZE);
    }
    if (value.length > WriterOptions.MAX_VALUE_SIZE) {
      throw IsleException.invalidArgument(
          "value for key "
              + Bytes.describe(key)
              + " is "
              + value.length
              + " bytes; the limit is "
              + WriterOptions.MAX_VALUE_SIZE);
    }
    checkUsable();
    awaitRoom();
    byte[] k = key.clone();
    byte[] v = value.clone();
    Memtable m;
    rotation.readLock().lock();
    try {
      checkUsable();
      m = active;
      m.add(k, nextSeq.getAndIncrement(), kind, expiresAt, v, ctx.clock().millis());
    } finally {
      rotation.readLock().unlock();
    }
    if (m.approximateBytes() >= options.memtableSize()) {
      rotate(m);
    }
  }

  private void awaitRoom() {
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
    rotation.writeLock().lock();
    try {
      if (active != expected || expected.isEmpty()) {
        return;
      }
      active = new Memtable(System.nanoTime());
      synchronized (monitor) {
        expected.setGeneration(++rotatedGeneration);
        frozen.addLast(expected);
      }
    } finally {
      rotation.writeLock().unlock();
    }
    flusher.execute(this::flushFrozen);
  }

  private void tick() {
    Memtable m = active;
    long first = m.firstAddNanos();
    if (first != 0
        && System.nanoTime() - first >= options.flushInterval().toNanos()
        && failure == null) {
      try {
        rotate(m);
      } catch (RuntimeException e) {
        LOG.warn("interval flush could not start", e);
      }
    }
  }

  // ------------------------------------------------------------------ flushing

  private void flushFrozen() {
    while (true) {
      Memtable m;
      synchronized (monitor) {
        m = frozen.peekFirst();
        if (m == null || failure != null) {
          return;
        }
      }
      try {
        flushOne(m);
      } catch (Throwable t) {
        fail(t);
        return;
      }
      synchronized (monitor) {
        frozen.removeFirst();
        flushedGeneration = m.generation();
        monitor.notifyAll();
      }
    }
  }

  private void flushOne(Memtable m) {
    long backoff = 100;
    for (int attempt = 0; ; attempt++) {
      try {
        long started = ctx.clock().millis();
        List<SstMeta> tables = writeTable(m);
        commit(tables, m.minSeq(), m.maxSeq(), started);
        return;
      } catch (IsleException e) {
        if (e.kind() != IsleException.Kind.UNAVAILABLE
            || attempt >= options.flushRetries()
            || closed) {
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

  private List<SstMeta> writeTable(Memtable m) {
    long now = ctx.clock().millis();
    TableOptions topts =
        TableOptions.defaults()
            .withBlockSize(options.blockSize())
            .withBloomBitsPerKey(options.bloomBitsPerKey())
            .withCompression(compression(options.compression()))
            .withCreationTimeMillis(now)
            .withDataTimeRange(m.minTime(), m.maxTime());
    try (TableOutput out =
        new TableOutput(ctx.store(), ctx.options().idSource(), topts, Long.MAX_VALUE)) {
      Iterator<Map.Entry<Memtable.Key, Memtable.Value>> it = m.iterator();
      while (it.hasNext()) {
        Map.Entry<Memtable.Key, Memtable.Value> e = it.next();
        Memtable.Value v = e.getValue();
        ValueKind kind = v.kind();
        byte[] value = v.value();
        if (!kind.isTombstone() && value.length >= options.blobThreshold()) {
          value = blobFor(value, now).encode();
          kind = kind.hasExpiry() ? ValueKind.BLOB_EXPIRING : ValueKind.BLOB;
        }
        out.add(e.getKey().userKey(), e.getKey().seq(), kind, v.expiresAt(), value);
      }
      return out.finish();
    }
  }

  private BlobRef blobFor(byte[] value, long now) {
    byte[] sha = Blobs.sha256(value);
    BlobRef ref = recentBlobs.find(sha, value.length, now);
    if (ref == null) {
      ref = blobs.upload(value, sha, ctx.options().idSource());
      recentBlobs.remember(ref, now);
    }
    return ref;
  }

  static Compression compression(String name) {
    return switch (name) {
      case "none" -> Compression.NONE;
      case "zstd" -> Compression.ZSTD;
      default -> Compression.LZ4;
    };
  }

  /**
   * Commits uploaded tables with one edit. Refuses (so the caller re-uploads) when the uploads are
   * older than half the GC grace period: GC may collect unreferenced objects after the full grace.
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
                if (ctx.clock().millis() - uploadStarted > commitDeadlineMillis) {
                  throw new IsleException(
                      IsleException.Kind.UNAVAILABLE,
                      "flush could not commit within half the GC grace period; uploading again");
                }
                return Optional.of(new Edit.AddTables(tables, lastSeq, committedLsn));
              },
              null);
      lastCommittedVersion = a.version();
    }
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
    synchronized (monitor) {
      failure = f;
      monitor.notifyAll();
    }
  }

  /**
   * Commits external tables through this writer's role: flushes first, so every write accepted
   * before the call gets a lower sequence number than the committed tables.
   */
  public io.isledb.CommitResult commitExternal(List<io.isledb.SstHandle> handles, String token) {
    // Puts wait (they need the read side) so no sequence number is handed out below the ones
    // the commit assigns.
    rotation.writeLock().lock();
    try {
      flush();
      synchronized (appendLock) {
        checkUsable();
        try {
          io.isledb.CommitResult r = ExternalCommit.commit(ctx, appender, handles, token);
          nextSeq.accumulateAndGet(appender.head().lastSeq() + 1, Math::max);
          lastCommittedVersion = Math.max(lastCommittedVersion, r.version());
          return r;
        } catch (FencedException e) {
          fail(e);
          throw e;
        }
      }
    } finally {
      rotation.writeLock().unlock();
    }
  }
}
