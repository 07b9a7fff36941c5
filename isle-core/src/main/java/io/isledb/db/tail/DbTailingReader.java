package io.isledb.db.tail;

import io.isledb.Change;
import io.isledb.IsleException;
import io.isledb.RolledBackException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.db.read.MissingTableException;
import io.isledb.db.read.Tables;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tailing reader. For each log edit in order it reads the tables the edit added, through the
 * readers' table path ({@link Tables}), orders their entries by sequence number and emits them;
 * without a key range each table is read whole (one request each); with one, only the blocks the
 * range needs ({@link TailEditCursor}). The cursor over the edit being consumed is kept between
 * polls so paging through a large commit reads it once.
 *
 * <p>Only edits that replay accepts are emitted: the reader folds the manifest state as it reads
 * the log, with the same rule as every replay ({@link ManifestState#apply}), and emits an {@code
 * add} only if that rule applied it. An edit replay ignores (a fenced epoch, the wrong role, a
 * commit token already committed, a table already live) emits nothing, so a consumer sees exactly
 * what readers see.
 *
 * <p>Cost: folding needs the state just before the first edit a reader reads. A reader at version 1
 * starts from the empty state, and {@link #latest()} hands over the state it loads; any other start
 * (and a poll that jumps backwards or far ahead) loads it like a cold open: one snapshot listing,
 * the newest snapshot at or below the position, and the log edits between them (about {@code
 * snapshotEvery}). From then on the reader folds the edits it reads anyway: sequential polling
 * costs no extra request.
 */
@Internal
public final class DbTailingReader implements TailingReader, Resource {
  /** Tables a tailing reader keeps open: only those of the edit being read are in use. */
  private static final int MAX_OPEN_TABLES = 64;

  private final DbContext ctx;
  private final boolean ownsManifestStore;
  private final TailingReaderOptions options;
  private final Blobs blobs;
  private final Object sleeper = new Object();
  private final RoleLifecycle life;
  private final Tables tables;
  private final TailEditCursor.KeyRange range;
  private TailEditCursor cursor;
  private long cursorVersion;

  /** The commit time ({@link Edit#timeMillis()}) of the edit {@link #cursor} reads. */
  private long cursorTimeMillis;

  private long highestSeen;

  /**
   * The state after the last edit this reader folded (null before the first): the state {@link
   * ManifestState#apply} judges the next edit against.
   */
  private ManifestState folded;

  /** When a poll last found the end of the log (a free slot right after the newest seen). */
  private long confirmedAt;

  /** Like readers: trust a free slot as the end only within min(1 minute, grace / 2). */
  private final long strandedCheckMillis;

  /** A tailing reader on a database's context, whose manifest store stays the database's. */
  public DbTailingReader(DbContext ctx, TailingReaderOptions options) {
    this(ctx, options, false);
  }

  /**
   * A tailing reader on {@code ctx}; {@code ownsManifestStore}: the context was opened for this
   * tailing reader alone, whose close then closes its manifest store (a JDBC store's connections).
   */
  public DbTailingReader(DbContext ctx, TailingReaderOptions options, boolean ownsManifestStore) {
    this.ctx = ctx;
    this.ownsManifestStore = ownsManifestStore;
    this.life = new RoleLifecycle("tailing reader of " + ctx.store().location());
    this.options = options;
    this.blobs = new Blobs(ctx.store());
    this.range = new TailEditCursor.KeyRange(options.fromKey(), options.toKey());
    // Tables open through the readers' table path (TableSource: one ranged read per open, the same
    // missing-table and corruption handling). Without a range a table is read whole, one request;
    // with one, tables up to the read-ahead size too, larger ones block by block.
    this.tables =
        Tables.uncached(
            ctx.store(),
            range.isAll() ? Integer.MAX_VALUE : options.readaheadBytes(),
            MAX_OPEN_TABLES);
    this.confirmedAt = ctx.clock().millis();
    this.strandedCheckMillis = Math.min(60_000, ctx.options().gcGracePeriod().toMillis() / 2);
  }

  private void checkOpen() {
    life.checkOpen();
  }

  /**
   * The first position whose preceding state can still be rebuilt (needed to judge its edit): slot
   * 1 while it is retained, otherwise the slot after the oldest snapshot from which the retained
   * log continues. Costs one listing of the log and, unless it starts at slot 1, of the snapshots.
   */
  @Override
  public synchronized TailPosition earliest() {
    checkOpen();
    List<Long> log = ctx.manifest().listLog();
    long first = log.isEmpty() ? Long.MAX_VALUE : log.get(0);
    if (first == 1) {
      return new TailPosition(1, 0);
    }
    List<Long> snapshots = ctx.manifest().listSnapshots();
    for (long snapshot : snapshots) {
      if (snapshot >= first - 1) {
        return new TailPosition(snapshot + 1, 0);
      }
    }
    if (!snapshots.isEmpty()) {
      return new TailPosition(snapshots.get(snapshots.size() - 1) + 1, 0);
    }
    return new TailPosition(log.isEmpty() ? 1 : first, 0);
  }

  @Override
  public synchronized TailPosition latest() {
    checkOpen();
    ManifestState s = ctx.manifest().loadLatest();
    highestSeen = Math.max(highestSeen, s.seq());
    folded = s; // a poll from the returned position judges its first edit against this state
    return new TailPosition(s.seq() + 1, 0);
  }

  @Override
  public synchronized TailBatch poll(TailPosition from, int maxChanges) {
    checkOpen();
    if (from == null) {
      throw IsleException.invalidArgument("poll position must not be null");
    }
    if (maxChanges < 1) {
      throw IsleException.invalidArgument("maxChanges must be at least 1, got " + maxChanges);
    }
    List<Change> out = new ArrayList<>();
    long version = from.version();
    long offset = from.offset();
    try {
      while (out.size() < maxChanges) {
        TailEditCursor c = cursorAt(version, offset);
        if (c == null) {
          break;
        }
        if (offset > c.total) {
          throw IsleException.invalidArgument(
              "tail position "
                  + from
                  + " is past the "
                  + c.total
                  + " changes of version "
                  + version);
        }
        while (out.size() < maxChanges && c.hasNext()) {
          long rank = c.nextRank();
          TailEntry r = c.next();
          offset = rank + 1;
          TailPosition next =
              offset == c.total
                  ? new TailPosition(version + 1, 0)
                  : new TailPosition(version, offset);
          out.add(toChange(r, version, cursorTimeMillis, next));
        }
        if (!c.hasNext()) {
          version++; // the rest of the edit is outside the range (or there is no rest)
          offset = 0;
        }
      }
    } catch (RolledBackException e) {
      if (out.isEmpty()) {
        throw e;
      }
      // Return what came before the rollback; the next poll, from the rollback, fails.
    } catch (MissingTableException e) {
      dropCursor();
      throw e.judge(ctx.manifest().loadLatest(), "tail position at version " + version);
    } catch (RuntimeException e) {
      dropCursor(); // a cursor that failed midway is not trusted for the next poll
      throw e;
    }
    return new TailBatch(out, new TailPosition(version, offset));
  }

  private Change toChange(TailEntry r, long version, long timeMillis, TailPosition next) {
    if (r.kind().isTombstone()) {
      return new Change(
          Change.Type.DELETE, r.key(), new byte[0], r.seq(), 0, version, next, timeMillis);
    }
    byte[] value = r.value();
    if (r.kind().isBlob()) {
      value =
          blobs.read(
              BlobRef.decode(value, "table " + r.table()),
              "key " + Bytes.describe(r.key()) + " in table " + r.table());
    }
    return new Change(
        r.kind().isAppend() ? Change.Type.APPEND : Change.Type.PUT,
        r.key(),
        value,
        r.seq(),
        r.kind().hasExpiry() ? r.expiresAt() : 0,
        version,
        next,
        timeMillis);
  }

  private void dropCursor() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
  }

  /**
   * The changes of the edit at {@code version} from rank {@code offset} on, or null if that slot is
   * not written yet. The cursor is kept between polls, so paging through a large commit reads it
   * once.
   */
  private TailEditCursor cursorAt(long version, long offset) {
    if (cursor != null && cursorVersion == version && cursor.seek(offset)) {
      return cursor;
    }
    dropCursor();
    Optional<Edit> e = ctx.manifest().readEdit(version);
    if (e.isEmpty()) {
      checkRetained(version);
      return null;
    }
    highestSeen = Math.max(highestSeen, version);
    // The replay rule decides whether the edit took effect; ignored edits emit nothing.
    ManifestState.Applied applied = stateBefore(version).apply(e.get());
    if (applied.accepted() && e.get().change() instanceof Edit.Restore r) {
      throw TailRollback.at(ctx, version, r);
    }
    folded = applied.state();
    List<SstMeta> added =
        applied.accepted() && e.get().change() instanceof Edit.AddTables add
            ? add.tables()
            : List.of();
    TailEditCursor c = TailEditCursor.open(added, range, tables, options.readaheadBytes());
    c.seek(offset);
    cursor = c;
    cursorVersion = version;
    cursorTimeMillis = e.get().timeMillis();
    return c;
  }

  /**
   * Edits a reader replays from its folded state to reach a later start position instead of loading
   * the state anew (a load reads a snapshot and up to about {@code snapshotEvery} edits).
   */
  private static final int CATCH_UP_LIMIT = 64;

  /** The state at {@code version - 1}: the folded state, caught up or loaded as a cold open. */
  private ManifestState stateBefore(long version) {
    long want = version - 1;
    ManifestState s = folded;
    if (s != null && s.seq() == want) {
      return s;
    }
    if (want == 0) {
      return ManifestState.empty();
    }
    if (s != null && s.seq() < want && want - s.seq() <= CATCH_UP_LIMIT) {
      ManifestState c = ctx.manifest().catchUp(s, want);
      if (c.seq() == want) {
        return c;
      }
    }
    try {
      return ctx.manifest().loadVersion(want);
    } catch (IsleException ex) {
      if (ex.kind() != IsleException.Kind.INVALID_ARGUMENT) {
        throw ex;
      }
      // Slot `version` exists, so `want` existed: its state was collected (no snapshot at or
      // below it with the log after it). Without that state the edit cannot be judged.
      throw new IsleException(
          IsleException.Kind.INVALID_ARGUMENT,
          "tail position at version "
              + version
              + " of "
              + ctx.store().location()
              + " is no longer retained: the state before it cannot be rebuilt to check the"
              + " edit against the replay rule (start at earliest(), or keep the consumer's"
              + " history with a history pin)",
          ex);
    }
  }

  /**
   * A free slot normally means "nothing new". If we already saw later slots, or snapshots beyond it
   * exist while its log was collected, the position is no longer retained.
   */
  private void checkRetained(long version) {
    if (version <= highestSeen) {
      throw notRetained(version);
    }
    long now = ctx.clock().millis();
    if (highestSeen > 0 && now - confirmedAt >= strandedCheckMillis) {
      // Our last look at the end of the log is old: GC may have collected edits written since
      // (once older than the grace period and the log retention), and then this free slot is a
      // collected one, not the end (Manifest.leftBehind). Without this check a consumer
      // that paused too long would poll "nothing new" forever.
      if (ctx.manifest().leftBehind(version - 1)) {
        throw notRetained(version);
      }
    }
    confirmedAt = now;
    if (highestSeen == 0) {
      List<Long> log = ctx.manifest().listLog();
      highestSeen = Math.max(highestSeen, log.isEmpty() ? 0 : log.get(log.size() - 1));
      if (version <= highestSeen) {
        throw notRetained(version);
      }
      if (log.isEmpty() && version > 1 && !ctx.manifest().listSnapshots().isEmpty()) {
        throw notRetained(version);
      }
    }
  }

  private IsleException notRetained(long version) {
    return IsleException.invalidArgument(
        "tail position at version "
            + version
            + " of "
            + ctx.store().location()
            + " is no longer retained (its log edit was garbage collected)");
  }

  @Override
  public void tail(TailPosition from, Handler handler) throws Exception {
    TailPosition pos = from;
    while (!life.isClosed()) {
      TailBatch b;
      try {
        b = poll(pos, 1024);
      } catch (IsleException e) {
        if (life.isClosed()) {
          return; // closed while polling: the end of the push loop, not a failure
        }
        throw e;
      }
      for (Change c : b.changes()) {
        handler.handle(c);
      }
      boolean idle = b.changes().isEmpty() && b.next().equals(pos);
      pos = b.next();
      if (idle) {
        synchronized (sleeper) {
          if (!life.isClosed()) {
            sleeper.wait(options.pollInterval().toMillis());
          }
        }
      }
    }
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
    tables.close(); // a poll still running reads on from storage and fails on the closed check
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
    if (ownsManifestStore) {
      ctx.manifestStore().close();
    }
  }
}
