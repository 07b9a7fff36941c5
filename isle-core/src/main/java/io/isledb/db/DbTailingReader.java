package io.isledb.db;

import io.isledb.Change;
import io.isledb.IsleException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
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
 */
public final class DbTailingReader implements TailingReader, Resource {
  private final DbContext ctx;
  private final TailingReaderOptions options;
  private final Blobs blobs;
  private final Object sleeper = new Object();
  private volatile boolean closed;
  private EditChanges cached;
  private long highestSeen;

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

  @Override
  public TailPosition earliest() {
    checkOpen();
    List<Long> log = ctx.manifest().listLog();
    return new TailPosition(log.isEmpty() ? 1 : log.get(0), 0);
  }

  @Override
  public TailPosition latest() {
    checkOpen();
    ManifestState s = ctx.manifest().loadLatest();
    highestSeen = Math.max(highestSeen, s.seq());
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
    List<Raw> entries = new ArrayList<>();
    if (e.get().change() instanceof Edit.AddTables add) {
      // The replay rule decides whether the edit took effect; ignored edits emit nothing. Only
      // writer edits with the newest epoch are applied, which the author validated; a full replay
      // is not needed to tell: fenced authors never reach a slot after the fence
      // (docs/PROTOCOL.md).
      List<SstMeta> tables = add.tables();
      for (int t = 0; t < tables.size(); t++) {
        load(tables.get(t), version, entries);
      }
      entries.sort(Comparator.comparingLong(Raw::seq));
    }
    cached = new EditChanges(version, entries);
    return cached;
  }

  private void load(SstMeta meta, long version, List<Raw> out) {
    byte[] data =
        ctx.store()
            .getRange(meta.objectName(), meta.size(), 0, (int) meta.size())
            .orElseThrow(
                () ->
                    new IsleException(
                        IsleException.Kind.INVALID_ARGUMENT,
                        "tail position at version "
                            + version
                            + " is no longer retained: table "
                            + meta.id()
                            + " was garbage collected (pin the consumer's version to keep it)"));
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
      TailBatch b = poll(pos, 1024);
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
