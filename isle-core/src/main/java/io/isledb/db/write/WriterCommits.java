package io.isledb.db.write;

import io.isledb.CommitResult;
import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.WriterOptions;
import io.isledb.db.CommitSignal;
import io.isledb.db.DbContext;
import io.isledb.db.read.WriterCache;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's commit path: uploads and commits one frozen memtable (retrying transient failures,
 * within the commit deadline), and runs external commits through the writer's role. Every append of
 * the writer goes through here, under one lock; it keeps the last committed version and the head
 * that {@link WriterView} reads after the memtables.
 */
final class WriterCommits {
  private static final Logger LOG = LoggerFactory.getLogger(DbWriter.class);

  private final DbContext ctx;
  private final WriterOptions options;
  private final ManifestAppender appender;
  private final MemtableFlush tables;
  private final WriterCache cache;
  private final FlushCuts cuts;
  private final CommitSignal signal;
  private final long commitDeadlineMillis;
  private final Object appendLock = new Object();
  private volatile long lastCommittedVersion;
  private volatile ManifestState viewHead; // appender.head() after each append

  WriterCommits(
      DbContext ctx,
      WriterOptions options,
      ManifestAppender appender,
      MemtableFlush tables,
      WriterCache cache,
      FlushCuts cuts,
      long commitDeadlineMillis) {
    this.ctx = ctx;
    this.options = options;
    this.appender = appender;
    this.tables = tables;
    this.cache = cache;
    this.cuts = cuts;
    this.signal = ctx.commitSignal();
    this.commitDeadlineMillis = commitDeadlineMillis;
    this.lastCommittedVersion = appender.head().seq();
    this.viewHead = appender.head();
  }

  long lastCommittedVersion() {
    return lastCommittedVersion;
  }

  /**
   * Writes a snapshot of the head and CURRENT off the schedule (after a restore edit), under the
   * append lock like every use of the appender. Best effort: a failure is logged and the next open
   * replays the log instead.
   */
  void snapshotHead() {
    synchronized (appendLock) {
      try {
        appender.snapshotHead();
      } catch (RuntimeException e) {
        LOG.warn("could not snapshot the restored version: {}", e.toString());
      }
    }
  }

  /**
   * Writes the snapshot and CURRENT the writer's open left due ({@link
   * ManifestAppender#deferSnapshots}), under the append lock. Best effort, as after every append.
   */
  void writeDeferred() {
    synchronized (appendLock) {
      try {
        appender.writeDeferred();
      } catch (RuntimeException e) {
        LOG.warn("could not write the snapshot due after the open: {}", e.toString());
      }
    }
  }

  ManifestState viewHead() {
    return viewHead;
  }

  /**
   * Flushes {@code m} (retrying transient failures unless {@code giveUp}); {@code awaitTurn} waits
   * for the commits of the earlier memtables. Returns the version that committed it.
   */
  long flushOne(Memtable m, Runnable awaitTurn, BooleanSupplier giveUp) {
    long backoff = 100;
    // An append that failed as UNAVAILABLE may have landed (its response lost); a later attempt
    // finds it in (see commit), but if none follows, the outcome stays unknown and is reported so.
    boolean mayHaveLanded = false;
    for (int attempt = 0; ; attempt++) {
      boolean committing = false;
      try {
        long started = ctx.clock().millis();
        List<SstMeta> uploaded = tables.writeTable(m);
        awaitTurn.run();
        committing = true;
        long version = commit(uploaded, m.minSeq(), m.maxSeq(), started);
        committing = false;
        cache.committed(uploaded, appender.head());
        return version;
      } catch (IsleException e) {
        mayHaveLanded |= committing && e.kind() == IsleException.Kind.UNAVAILABLE;
        if (e.kind() != IsleException.Kind.UNAVAILABLE
            || attempt >= options.flushRetries()
            || giveUp.getAsBoolean()) {
          if (mayHaveLanded && !(e instanceof FencedException)) {
            throw new WriterFailure.CommitUnknown(e, m.minSeq(), m.maxSeq(), m.entries());
          }
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
  private long commit(List<SstMeta> tables, long firstSeq, long lastSeq, long uploadStarted) {
    long lsn = -1;
    if (ctx.options().lsnExtractor() != null && !tables.isEmpty()) {
      OptionalLong l =
          ctx.options().lsnExtractor().extract(tables.get(tables.size() - 1).largestKey());
      lsn = l.orElse(-1);
    }
    long committedLsn = lsn;
    synchronized (appendLock) {
      long sent = ctx.clock().millis(); // no create of this append is sent before
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
      viewHead = appender.head();
      // Our own create made a.version() the head, so pinHead may pin it from this state. An
      // attempt found already in proves nothing about when the head was read: no state then.
      cuts.setHead(new FlushCuts.Head(a.version(), a.duplicate() ? null : appender.head(), sent));
      ManifestState head = appender.head();
      signal.l0Observed(head.seq(), head.l0().size(), false);
      signal.committed(); // wakes a compactor of this database in this JVM
      return a.version();
    }
  }

  /**
   * Runs {@code commit} (an append through the writer's role) under the append lock, after {@code
   * checkUsable}; afterwards no sequence number below the head's is handed out.
   */
  CommitResult external(Supplier<CommitResult> commit, Runnable checkUsable, AtomicLong nextSeq) {
    synchronized (appendLock) {
      checkUsable.run();
      CommitResult r = commit.get();
      nextSeq.accumulateAndGet(appender.head().lastSeq() + 1, Math::max);
      lastCommittedVersion = Math.max(lastCommittedVersion, r.version());
      ManifestState head = appender.head();
      signal.l0Observed(head.seq(), head.l0().size(), false);
      signal.committed();
      return r;
    }
  }
}
