package io.isledb.db.tail;

import io.isledb.Change;
import io.isledb.IsleException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.db.Resource;
import io.isledb.db.read.MissingTableException;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.BlockCache;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import io.isledb.sst.TableReader;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The tailing reader. For each log edit in order it loads the tables the edit added (whole, one
 * request each), orders their entries by sequence number and emits them. The entries of the edit
 * being consumed are kept between polls so paging through a large commit reads it once.
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
public final class DbTailingReader implements TailingReader, Resource {
  private final DbContext ctx;
  private final TailingReaderOptions options;
  private final Blobs blobs;
  private final Object sleeper = new Object();
  private volatile boolean closed;
  private EditChanges cached;
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

  /** Raw entries of one edit in emission order. */
  private record Raw(
      byte[] key, long seq, ValueKind kind, long expiresAt, byte[] value, String table) {}

  private record EditChanges(long version, List<Raw> entries) {}

  public DbTailingReader(DbContext ctx, TailingReaderOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.blobs = new Blobs(ctx.store());
    this.confirmedAt = ctx.clock().millis();
    this.strandedCheckMillis = Math.min(60_000, ctx.options().gcGracePeriod().toMillis() / 2);
  }

  private void checkOpen() {
    if (closed) {
      throw IsleException.closed("tailing reader of " + ctx.store().location());
    }
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
    while (out.size() < maxChanges) {
      EditChanges ec = changesOf(version);
      if (ec == null) {
        break;
      }
      if (offset > ec.entries.size()) {
        throw IsleException.invalidArgument(
            "tail position "
                + from
                + " is past the "
                + ec.entries.size()
                + " changes of version "
                + version);
      }
      while (offset < ec.entries.size() && out.size() < maxChanges) {
        Raw r = ec.entries.get((int) offset);
        offset++;
        if (!inRange(r.key)) {
          continue;
        }
        TailPosition next =
            offset == ec.entries.size()
                ? new TailPosition(version + 1, 0)
                : new TailPosition(version, offset);
        out.add(toChange(r, version, next));
      }
      if (offset == ec.entries.size()) {
        version++;
        offset = 0;
      }
    }
    return new TailBatch(out, new TailPosition(version, offset));
  }

  private boolean inRange(byte[] key) {
    return (options.fromKey() == null || Bytes.compare(key, options.fromKey()) >= 0)
        && (options.toKey() == null || Bytes.compare(key, options.toKey()) < 0);
  }

  private Change toChange(Raw r, long version, TailPosition next) {
    if (r.kind.isTombstone()) {
      return new Change(Change.Type.DELETE, r.key, new byte[0], r.seq, 0, version, next);
    }
    byte[] value = r.value;
    if (r.kind.isBlob()) {
      value =
          blobs.read(
              BlobRef.decode(value, "table " + r.table),
              "key " + Bytes.describe(r.key) + " in table " + r.table);
    }
    return new Change(
        Change.Type.PUT, r.key, value, r.seq, r.kind.hasExpiry() ? r.expiresAt : 0, version, next);
  }

  /** The changes of the edit at {@code version}, or null if that slot is not written yet. */
  private EditChanges changesOf(long version) {
    if (cached != null && cached.version == version) {
      return cached;
    }
    Optional<Edit> e = ctx.manifest().readEdit(version);
    if (e.isEmpty()) {
      checkRetained(version);
      return null;
    }
    highestSeen = Math.max(highestSeen, version);
    // The replay rule decides whether the edit took effect; ignored edits emit nothing.
    ManifestState.Applied applied = stateBefore(version).apply(e.get());
    folded = applied.state();
    List<Raw> entries = new ArrayList<>();
    if (applied.accepted() && e.get().change() instanceof Edit.AddTables add) {
      List<SstMeta> tables = add.tables();
      for (int t = 0; t < tables.size(); t++) {
        load(tables.get(t), version, entries);
      }
      entries.sort(Comparator.comparingLong(Raw::seq));
    }
    cached = new EditChanges(version, entries);
    return cached;
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

  private void load(SstMeta meta, long version, List<Raw> out) {
    byte[] data =
        ctx.store()
            .getRange(meta.objectName(), meta.size(), 0, (int) meta.size())
            .orElseThrow(
                () ->
                    new MissingTableException(meta, ctx.store())
                        .judge(ctx.manifest().loadLatest(), "tail position at version " + version));
    TableReader reader =
        TableReader.open(
            meta.objectName(),
            meta.size(),
            (off, len) -> {
              byte[] b = new byte[len];
              System.arraycopy(data, (int) off, b, 0, len);
              return b;
            },
            BlockCache.none(),
            0);
    TableIterator it = reader.iterator(ScanOptions.sequential(0));
    it.seekToFirst();
    while (it.valid()) {
      long seq = meta.globalSeq() != 0 ? meta.globalSeq() : it.seq();
      out.add(new Raw(it.userKey(), seq, it.kind(), it.expiresAtMillis(), it.value(), meta.id()));
      it.next();
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
      // collected one, not the end (ManifestStore.leftBehind). Without this check a consumer
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
    while (!closed) {
      TailBatch b;
      try {
        b = poll(pos, 1024);
      } catch (IsleException e) {
        if (closed) {
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
          if (!closed) {
            sleeper.wait(options.pollInterval().toMillis());
          }
        }
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
  }
}
