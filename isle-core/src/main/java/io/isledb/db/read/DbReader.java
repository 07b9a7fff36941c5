package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.ScanSplit;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.manifest.ManifestState;
import io.isledb.util.Internal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader: one current {@link ReadVersion}, replaced atomically by {@link #refresh()}; tables,
 * caches and blob reads shared by every version it serves.
 */
@Internal
public final class DbReader implements Reader, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbReader.class);

  /**
   * A reader that confirmed the end of the log less than this long ago trusts a free slot as the
   * end of the log; otherwise it also reads CURRENT (at most every minute, never less often than
   * half the grace period: see {@link #refresh()}).
   */
  private static final long STRANDED_CHECK_MILLIS = 60_000;

  private final DbContext ctx;
  private final boolean ownsManifestStore;
  private final Path cacheDir;
  private final boolean ownsCacheDir;
  private final Tables tables;
  private final Blobs blobs;
  private final ScheduledExecutorService refresher;
  private final Object refreshLock = new Object();
  private volatile ReadVersion current;
  private final RoleLifecycle life;

  /** When the last successful refresh started: the log had no gap after our version then. */
  private long confirmedAt;

  private final long strandedCheckMillis;

  /** A reader on a database's context, whose manifest store stays the database's. */
  public DbReader(DbContext ctx, ReaderOptions options) {
    this(ctx, options, false);
  }

  /**
   * A reader on {@code ctx}; {@code ownsManifestStore}: the context was opened for this reader
   * alone, whose close then closes its manifest store (a JDBC store's connections).
   */
  public DbReader(DbContext ctx, ReaderOptions options, boolean ownsManifestStore) {
    this(ctx, options, ownsManifestStore, null);
  }

  /**
   * A reader starting at {@code initial} (a pinned version's state; null: the head, loaded now). A
   * reader started at a pinned version has not confirmed the end of the log: its first refresh
   * checks whether the log after that version was collected.
   */
  public DbReader(
      DbContext ctx, ReaderOptions options, boolean ownsManifestStore, ManifestState initial) {
    this.ctx = ctx;
    this.ownsManifestStore = ownsManifestStore;
    this.life = new RoleLifecycle("reader of " + ctx.store().location());
    try {
      if (options.cacheDir() == null) {
        this.cacheDir = Files.createTempDirectory("isledb-reader-");
        this.ownsCacheDir = true;
      } else {
        this.cacheDir = Files.createDirectories(options.cacheDir());
        this.ownsCacheDir = false;
      }
    } catch (IOException e) {
      throw IsleException.unavailable(
          "cannot create reader cache directory " + options.cacheDir(), e);
    }
    this.tables = new Tables(ctx.store(), options, cacheDir, ctx.resources());
    this.blobs = new Blobs(ctx.store());
    ManifestState start = initial == null ? ctx.manifest().loadLatest() : initial;
    this.current = new ReadVersion(start, tables, blobs, ctx.clock());
    tables.preopen(current.state());
    this.strandedCheckMillis =
        Math.min(STRANDED_CHECK_MILLIS, ctx.options().gcGracePeriod().toMillis() / 2);
    this.confirmedAt = ctx.clock().millis() - (initial == null ? 0 : strandedCheckMillis);
    if (options.autoRefreshInterval().isZero()) {
      this.refresher = null;
    } else {
      this.refresher =
          ctx.resources().maintenanceScheduler("isledb-refresh " + ctx.store().location());
      long ms = Math.max(1, options.autoRefreshInterval().toMillis());
      refresher.scheduleWithFixedDelay(
          () -> {
            try {
              refresh();
            } catch (RuntimeException e) {
              LOG.warn("background refresh of {} failed: {}", ctx.store().location(), e.toString());
            }
          },
          ms,
          ms,
          TimeUnit.MILLISECONDS);
    }
  }

  private void checkOpen() {
    life.checkOpen();
  }

  @Override
  public Optional<byte[]> get(byte[] key) {
    checkKey(key);
    checkOpen();
    ReadVersion v = current;
    try {
      // Not through withRetry: a point lookup should not allocate a function for its retry.
      return v.get(key);
    } catch (MissingTableException e) {
      return withRetry(v, e, x -> x.get(key));
    }
  }

  @Override
  public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
    checkOpen();
    return withRetry(v -> v.scan(fromInclusive, toExclusive));
  }

  @Override
  public List<Optional<byte[]>> getAll(List<byte[]> keys) {
    return withRetry(v -> v.getAll(keys));
  }

  /** Splits of the current version: scan them on {@link #openVersion} of their version. */
  @Override
  public List<ScanSplit> splits(int maxSplits) {
    checkOpen();
    return current.splits(maxSplits);
  }

  /**
   * Runs a read on the current version; if a table it needs was already garbage collected (the
   * version is older than the GC grace period), refreshes once and tries again.
   */
  private <T> T withRetry(Function<ReadVersion, T> read) {
    checkOpen();
    ReadVersion v = current;
    try {
      return read.apply(v);
    } catch (MissingTableException e) {
      return withRetry(v, e, read);
    }
  }

  /** The retry of {@link #withRetry(Function)} after {@code read} on {@code v} threw {@code e}. */
  private <T> T withRetry(ReadVersion v, MissingTableException e, Function<ReadVersion, T> read) {
    tables.invalidate(e.tableId);
    tables.counters.missingTableRetries.increment();
    refresh();
    ReadVersion now = current;
    if (now.state().table(e.tableId) == null || now != v) {
      return read.apply(now);
    }
    throw e;
  }

  static void checkKey(byte[] key) {
    if (key == null) {
      throw IsleException.invalidArgument("key must not be null");
    }
  }

  @Override
  public long version() {
    return current.version();
  }

  @Override
  public java.util.Map<String, String> properties() {
    checkOpen();
    return current.state().commits().properties();
  }

  @Override
  public Optional<io.isledb.CommitMark> lastCommitted(String commitUser) {
    checkOpen();
    return current.state().commits().mark(commitUser);
  }

  /**
   * Moves to the newest version. GC deletes log edits at or below the snapshot CURRENT names once
   * they are older than the grace period, so a free slot after our version is only trustworthy as
   * "the end of the log" if our version was confirmed recently: an edit that appeared after our
   * last confirmation cannot have been collected within half the grace period of it. A reader whose
   * confirmation is older (it did not refresh, or its refreshes failed, for that long) also reads
   * CURRENT and reloads from a snapshot if CURRENT is ahead of it. The confirmation time is only
   * advanced by a refresh that completed: a failed check must not let the next refresh skip it and
   * silently return a stale version. The check also runs when edits were found, since a GC deleting
   * old edits in bulk can leave a gap anywhere among them for a moment.
   */
  @Override
  public long refresh() {
    checkOpen();
    synchronized (refreshLock) {
      long started = ctx.clock().millis();
      ReadVersion v = current;
      ManifestState s = ctx.manifest().catchUp(v.state());
      if (started - confirmedAt >= strandedCheckMillis && ctx.manifest().leftBehind(s.seq())) {
        // The log after our version was collected: start over from a snapshot.
        LOG.warn(
            "reader of {} at version {} was left behind by GC; reloading",
            ctx.store().location(),
            s.seq());
        // Listed, not through CURRENT: a CURRENT that moved backwards would mislead the reload too.
        s = ctx.manifest().loadLatestListed();
      }
      confirmedAt = started;
      tables.counters.refreshes.increment();
      if (s != v.state()) {
        tables.preopen(s);
        current = new ReadVersion(s, tables, blobs, ctx.clock());
      }
      return s.seq();
    }
  }

  @Override
  public ReadView snapshot() {
    checkOpen();
    return new View(current);
  }

  @Override
  public ReadView openVersion(long version) {
    checkOpen();
    ManifestState s;
    try {
      s = ctx.manifest().loadVersion(version);
    } catch (IsleException e) {
      // Past the retained window a version pin may still hold it; the pin carries its state.
      if (e.kind() != IsleException.Kind.INVALID_ARGUMENT || version < 0) {
        throw e;
      }
      s = Pins.pinnedState(ctx.manifestStore(), version).orElseThrow(() -> e);
    }
    return new View(new ReadVersion(s, tables, blobs, ctx.clock()));
  }

  @Override
  public OptionalLong maxCommittedLsn() {
    checkOpen();
    return ctx.manifest()
        .readCurrent()
        .map(c -> c.maxCommittedLsn())
        .filter(l -> l >= 0)
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  @Override
  public OptionalLong lowWatermarkLsn() {
    checkOpen();
    return ctx.manifest()
        .readCurrent()
        .map(c -> c.lowWatermarkLsn())
        .filter(l -> l >= 0)
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  @Override
  public ReaderStats stats() {
    ReaderCounters c = tables.counters;
    return new ReaderStats(
        tables.blockCacheHits(),
        tables.blockCacheMisses(),
        tables.blockCacheBytes(),
        tables.diskCacheHits(),
        tables.diskCacheMisses(),
        tables.diskCacheBytes(),
        c.tableOpens.sum(),
        c.remoteReads.sum(),
        c.downloads.sum(),
        c.downloadedBytes.sum(),
        c.blobReads.sum(),
        c.refreshes.sum(),
        ctx.store().stats());
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
    if (refresher != null) {
      refresher.shutdownNow();
    }
    tables.close();
    if (ownsCacheDir) {
      deleteTree(cacheDir);
    }
    if (ownsManifestStore) {
      ctx.manifestStore().close();
    }
  }

  /** Deletes {@code dir} (a cache directory) and everything in it, best effort (logged). */
  public static void deleteTree(Path dir) {
    DiskCache.forgetUnder(dir);
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  /** A view pinned to one version. */
  private final class View implements ReadView {
    private final ReadVersion v;
    private volatile boolean viewClosed;

    View(ReadVersion v) {
      this.v = v;
    }

    private void check() {
      if (viewClosed) {
        throw IsleException.closed("snapshot of version " + v.version());
      }
      checkOpen();
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
      checkKey(key);
      check();
      return judged(() -> v.get(key));
    }

    @Override
    public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
      check();
      return judged(() -> v.scan(fromInclusive, toExclusive));
    }

    @Override
    public List<Optional<byte[]>> getAll(List<byte[]> keys) {
      check();
      return judged(() -> v.getAll(keys));
    }

    @Override
    public List<ScanSplit> splits(int maxSplits) {
      check();
      return v.splits(maxSplits);
    }

    /** A view is bound to its version: a missing table is judged against the newest version. */
    private <T> T judged(Supplier<T> read) {
      try {
        return read.get();
      } catch (MissingTableException e) {
        tables.invalidate(e.tableId);
        refresh();
        throw e.judge(current.state(), "version " + v.version());
      }
    }

    @Override
    public long version() {
      return v.version();
    }

    @Override
    public List<String> tableObjects() {
      check();
      return io.isledb.manifest.ManifestPaths.tableObjects(v.state());
    }

    @Override
    public java.util.Map<String, String> properties() {
      check();
      return v.state().commits().properties();
    }

    @Override
    public Optional<io.isledb.CommitMark> lastCommitted(String commitUser) {
      check();
      return v.state().commits().mark(commitUser);
    }

    @Override
    public void close() {
      viewClosed = true;
    }
  }
}
