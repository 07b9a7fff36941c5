package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.KvIterator;
import io.isledb.ReaderOptions;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.manifest.ManifestState;
import io.isledb.util.Internal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the views of one writer share to read its head version's tables: open tables with their
 * index and bloom filters in memory, a block cache and a disk cache (the {@link ReaderOptions}
 * defaults, in a private temporary directory deleted on close), and blob reads. Created with the
 * first view, so a writer that never reads costs nothing here.
 */
@Internal
public final class WriterReads implements AutoCloseable {
  private final DbContext ctx;
  private final Path cacheDir; // null when the tables are borrowed
  private final Tables tables;
  private final Blobs blobs;
  private volatile ReadVersion current;

  public WriterReads(DbContext ctx, ManifestState head) {
    this.ctx = ctx;
    try {
      this.cacheDir = Files.createTempDirectory("isledb-writer-view-");
    } catch (IOException e) {
      throw IsleException.unavailable("cannot create the writer view's cache directory", e);
    }
    this.tables = new Tables(ctx.store(), ReaderOptions.defaults(), cacheDir, ctx.resources());
    this.blobs = new Blobs(ctx.store());
    this.current = version(head);
  }

  /**
   * Reads through {@code tables}, the writer's own (write-through) cache, which stays the writer's:
   * what the writer flushed is read back from its local copy, never downloaded.
   */
  public WriterReads(DbContext ctx, ManifestState head, Tables tables) {
    this.ctx = ctx;
    this.cacheDir = null;
    this.tables = tables;
    this.blobs = new Blobs(ctx.store());
    this.current = version(head);
  }

  private ReadVersion version(ManifestState s) {
    return new ReadVersion(s, tables, blobs, ctx.clock());
  }

  /**
   * The version to read for the writer's {@code head}: the head itself, or a newer state of the log
   * loaded after a table of the head went missing (compacted away and collected while the writer
   * did not commit; the newer state holds the same data).
   */
  private ReadVersion versionFor(ManifestState head) {
    ReadVersion v = current;
    if (v.state() == head || v.version() >= head.seq()) {
      return v;
    }
    v = version(head);
    current = v;
    return v;
  }

  /** The newest visible value of {@code key} in {@code head}'s tables. */
  public Optional<byte[]> get(ManifestState head, byte[] key) {
    return read(head, v -> v.get(key));
  }

  /**
   * The visible entries in {@code [from, to)} of {@code newer} (positioned at {@code from}: the
   * writer's memtables, newest first; they hold no resources, so a retry on a newer version reuses
   * them) over {@code head}'s tables. Closes {@code newer} on failure.
   */
  public KvIterator scan(ManifestState head, byte[] from, byte[] to, List<Cursor> newer) {
    try {
      return read(head, v -> v.scan(from, to, newer));
    } catch (RuntimeException e) {
      newer.forEach(Cursor::close);
      throw e;
    }
  }

  /**
   * At most {@code maxSplits} key ranges of {@code head} of about equal size, from its table
   * metadata alone (no request): see {@link SplitPlanner}.
   */
  public static List<io.isledb.ScanSplit> splits(ManifestState head, int maxSplits) {
    return SplitPlanner.plan(head, maxSplits);
  }

  /** Refuses a null key, as a reader's get does. */
  public static void checkKey(byte[] key) {
    DbReader.checkKey(key);
  }

  /**
   * Runs {@code read} on the version for {@code head}; if a table it needs is gone, loads the
   * newest version of the log and tries once more there.
   */
  private <T> T read(ManifestState head, Function<ReadVersion, T> read) {
    ReadVersion v = versionFor(head);
    try {
      return read.apply(v);
    } catch (MissingTableException e) {
      tables.invalidate(e.tableId);
      ManifestState newest = ctx.manifest().loadLatestListed();
      if (newest.table(e.tableId) != null || newest.seq() < v.version()) {
        throw e;
      }
      ReadVersion now = version(newest);
      current = now;
      return read.apply(now);
    }
  }

  @Override
  public void close() {
    if (cacheDir != null) {
      tables.close();
      DbReader.deleteTree(cacheDir);
    }
  }
}
