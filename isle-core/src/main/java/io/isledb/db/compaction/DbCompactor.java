package io.isledb.db.compaction;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.db.FlushPriority;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.db.TableOutput;
import io.isledb.db.read.Cursor;
import io.isledb.db.read.MergingCursor;
import io.isledb.db.read.RunCursor;
import io.isledb.db.read.TableCursor;
import io.isledb.db.read.Tables;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merge compactor (role {@code compactor}). A compaction streams its inputs through a k-way
 * merge (memory: one readahead buffer per input plus one output block), keeps the newest version of
 * every key, drops deletions and expired entries when its output becomes the oldest run, splits the
 * output at the target table size, and commits one {@code compact} edit. Its uploads are covered by
 * a lease until committed, however long the merge takes.
 */
@Internal
public final class DbCompactor implements Compactor, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbCompactor.class);
  private static final byte[] EMPTY = new byte[0];

  private final DbContext ctx;
  private final CompactorOptions options;
  private final ManifestAppender appender;
  private final String author;
  private final Tables tables;
  private final io.isledb.db.Blobs blobs; // a fork's borrowed blobs, read to be inlined
  private final ScheduledExecutorService executor;
  private final ScheduledExecutorService leaseKeeper;
  private final Object runLock = new Object();
  private ScheduledFuture<?> loop;
  private CommitTrigger trigger;
  private final RoleLifecycle life;
  // Set by the first background pass: from then on writers in this JVM wait for this compactor
  // when L0 reaches the stop limit (see CommitSignal); run by close.
  private volatile Runnable stallRelease;

  public DbCompactor(DbContext ctx, CompactorOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.author = "compactor-" + ctx.newId();
    this.appender = ctx.appender(io.isledb.manifest.Role.COMPACTOR, author);
    appender.fence();
    this.life = new RoleLifecycle("compactor of " + ctx.store().location());
    // Inputs no larger than one readahead are read whole: one request per table, and no more
    // memory than the readahead buffer they would use anyway.
    this.tables = Tables.uncached(ctx.store(), options.readaheadBytes(), 100_000);
    this.blobs = new io.isledb.db.Blobs(ctx.store());
    String name = "isledb-compactor " + ctx.store().location();
    this.executor = ctx.resources().compactionScheduler(name, 2);
    this.leaseKeeper = ctx.resources().leaseScheduler(name, executor);
  }

  @Override
  public synchronized void startAfter(java.time.Duration delay) {
    RoleLifecycle.checkStartDelay(delay, "compactor");
    life.checkOpen();
    if (loop == null) {
      trigger =
          new CommitTrigger(
              ctx.commitSignal(),
              executor,
              () -> {
                running();
                try {
                  while (!life.isClosed() && runOnce().isPresent()) {
                    // keep going while there is work
                  }
                } catch (RuntimeException e) {
                  ctx.commitSignal().compactionFailed(); // writers must not wait for it
                  throw e;
                }
              });
      loop = trigger.start(options.interval(), delay, "compactor of " + ctx.store().location());
    }
  }

  /** Registers the background loop's stop limit once, when its first pass begins. */
  private synchronized void running() {
    if (stallRelease == null && !life.isClosed()) {
      stallRelease = ctx.commitSignal().compactorRunning(options.effectiveL0StopWrites());
    }
  }

  @Override
  public Optional<CompactionResult> runOnce() {
    life.checkOpen();
    synchronized (runLock) {
      ManifestState head = appender.refresh();
      appender.checkFence();
      ctx.commitSignal().l0Observed(head.seq(), head.l0().size(), false);
      Optional<CompactionPolicy.Pick> pick =
          CompactionPolicy.pick(head, options, ctx.clock().millis());
      if (pick.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(compact(pick.get()));
    }
  }

  private CompactionResult compact(CompactionPolicy.Pick pick) {
    long now = ctx.clock().millis();
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    List<SstMeta> inputs = new ArrayList<>(pick.l0());
    pick.runs().forEach(r -> inputs.addAll(r.tables()));
    for (SstMeta t : inputs) {
      minTime = Math.min(minTime, t.minDataTime());
      maxTime = Math.max(maxTime, t.maxDataTime());
    }
    TableOptions topts =
        TableOptions.defaults()
            .withSettings(options.table())
            .withCreationTimeMillis(now)
            .withDataTimeRange(minTime, Math.max(minTime, maxTime))
            .withTargetFileSize(options.targetTableSize());
    ScanOptions scan = ScanOptions.sequential(options.readaheadBytes());
    List<Cursor> cursors = new ArrayList<>();
    CompactionLease lease = new CompactionLease(ctx, author, leaseKeeper, this::abandoned);
    long read = 0;
    long written = 0;
    long filtered = 0;
    Filtering filter = new Filtering(options.filter(), now, "compaction by " + author);
    List<SstMeta> outputs;
    ManifestAppender.Appended a;
    try {
      try (TableOutput out =
          new TableOutput(
              ctx.store(),
              ctx.options().idSource(),
              topts,
              options.targetTableSize(),
              lease::add)) {
        for (SstMeta t : pick.l0()) {
          cursors.add(new TableCursor(tables.get(t), null, scan));
        }
        for (SortedRun r : pick.runs()) {
          cursors.add(new RunCursor(r, tables, null, scan));
        }
        MergingCursor merged = new MergingCursor(cursors);
        AppendFold fold = new AppendFold(blobs, now, filter, pick.bottommost());
        FlushPriority priority = ctx.resources().flushPriority();
        io.isledb.db.CommitSignal signal = ctx.commitSignal();
        // Not while writes wait for this compaction (the L0 stall): they need it more.
        java.util.function.BooleanSupplier goOn = () -> life.isClosed() || signal.l0Stalled();
        int steps = 0;
        while (merged.valid()) {
          life.checkOpen();
          if ((++steps & 1023) == 0) {
            priority.yieldToFlushes(goOn);
          }
          byte[] key = merged.userKey();
          long seq = merged.seq();
          ValueKind kind = merged.kind();
          long expiresAt = merged.expiresAt();
          byte[] value = merged.value();
          String home = merged.home();
          merged.next();
          read++;
          if (kind.isAppend()) {
            fold.fold(out, merged, key, seq, value);
          }
          while (merged.valid()
              && Arrays.equals(merged.keyArray(), 0, merged.keyLength(), key, 0, key.length)) {
            merged.next();
            read++;
          }
          if (kind.isAppend()) {
            continue; // written by the fold
          }
          boolean expired = kind.hasExpiry() && expiresAt <= now;
          if (pick.bottommost() && (kind.isTombstone() || expired)) {
            continue;
          }
          if (!kind.isTombstone() && !expired && filter.drops(key, kind, value)) {
            filtered++;
            if (pick.bottommost()) {
              continue; // nothing older of the key exists below the oldest run
            }
            // A deletion at the same sequence number keeps older versions in older runs hidden.
            out.add(key, seq, ValueKind.DELETE, 0, EMPTY);
            written++;
            continue;
          }
          if (home != null && kind.isBlob()) {
            // A fork owns no copy of a borrowed table's blob: the value moves inline.
            value =
                blobs.read(
                    io.isledb.db.BlobRef.decode(value, "table in " + home),
                    "key " + io.isledb.util.Bytes.describe(key) + " of a table in " + home,
                    home);
            kind = kind.hasExpiry() ? ValueKind.PUT_EXPIRING : ValueKind.PUT;
          }
          out.add(key, seq, kind, expiresAt, value);
          written++;
        }
        outputs = out.finish();
        read += fold.read();
        written += fold.written();
        filtered += fold.filtered();
      } finally {
        cursors.forEach(Cursor::close);
        for (SstMeta t : inputs) {
          tables.invalidate(t.id());
        }
      }
      List<String> inputIds = pick.inputIds();
      // A closing database commits nothing more: its close awaits this run, and the outputs are
      // left for GC (the stray table and log entry of a fork closed during its first rewrite).
      life.checkOpen();
      checkCommittable(lease, outputs);
      try {
        a =
            appender.append(
                state -> {
                  life.checkOpen(); // also before a retried attempt
                  if (!outputs.isEmpty()
                      && outputs.stream().allMatch(t -> state.table(t.id()) != null)) {
                    return Optional.empty(); // an earlier, ambiguous attempt landed
                  }
                  for (String id : inputIds) {
                    if (state.table(id) == null) {
                      throw new IsleException(
                          IsleException.Kind.CONFLICT,
                          "compaction input "
                              + id
                              + " was removed concurrently (retention?); its output will be garbage collected");
                    }
                  }
                  return Optional.of(new Edit.Compact(inputIds, outputs, pick.bottommost()));
                },
                null,
                lease::sendBy);
      } catch (IsleException e) {
        if (e.kind() == IsleException.Kind.UNAVAILABLE && ctx.clock().millis() > lease.sendBy()) {
          throw abandoned(lease.lapsedMessage(), e);
        }
        throw e;
      }
    } finally {
      lease.release();
    }
    ManifestState committed = appender.head();
    ctx.commitSignal().l0Observed(committed.seq(), committed.l0().size(), true);
    List<String> inputIds = pick.inputIds();
    long outBytes = outputs.stream().mapToLong(SstMeta::size).sum();
    LOG.info(
        "compacted {} tables ({} bytes) into {} tables ({} bytes) at version {}{}{}",
        inputIds.size(),
        pick.inputBytes(),
        outputs.size(),
        outBytes,
        a.version(),
        pick.bottommost() ? " (bottommost)" : "",
        filtered == 0 ? "" : ", " + filtered + " entries dropped by the filter");
    return new CompactionResult(
        a.version(),
        pick.inputTables(),
        outputs.size(),
        pick.inputBytes(),
        outBytes,
        read,
        written,
        pick.bottommost(),
        filtered);
  }

  /**
   * Refuses to commit {@code outputs} unless the lease still protects them and they exist with the
   * sizes written. The lease check is what keeps the commit safe (see {@link CompactionLease}); the
   * existence check (one HEAD per output) catches what the protocol cannot: an output deleted by a
   * process that broke the rules (another grace period, an operator's cleanup).
   */
  private void checkCommittable(CompactionLease lease, List<SstMeta> outputs) {
    if (ctx.clock().millis() > lease.sendBy()) {
      throw abandoned(lease.lapsedMessage(), null);
    }
    for (SstMeta t : outputs) {
      Optional<io.isledb.ObjectInfo> info = ctx.store().stat(t.objectName());
      if (info.isEmpty() || info.get().size() != t.size()) {
        throw abandoned(
            "output table "
                + t.id()
                + " ("
                + t.size()
                + " bytes written) "
                + info.map(i -> "has " + i.size() + " bytes").orElse("is missing")
                + " at "
                + ctx.store().location(),
            null);
      }
    }
  }

  private IsleException abandoned(String why, Throwable cause) {
    IsleException e =
        new IsleException(
            IsleException.Kind.UNAVAILABLE,
            "compaction by "
                + author
                + " abandoned, nothing committed (its outputs are left for GC): "
                + why,
            cause);
    LOG.warn("{}", e.getMessage());
    return e;
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
    synchronized (this) {
      if (loop != null) {
        loop.cancel(false);
        trigger.stop();
      }
      if (stallRelease != null) {
        stallRelease.run();
      }
    }
    executor.shutdown();
    if (leaseKeeper != executor) {
      leaseKeeper.shutdownNow();
    }
    // A run in flight gives up at its next check (at the latest before its manifest append);
    // close returns once it and any lease renewal ended, so nothing is written after it.
    life.awaitStopped(executor, "compaction runs");
    if (leaseKeeper != executor) {
      life.awaitStopped(leaseKeeper, "compaction lease renewals");
    }
    synchronized (runLock) {
      tables.close();
    }
  }
}
