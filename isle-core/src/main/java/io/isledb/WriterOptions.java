package io.isledb;

import io.isledb.sst.SstFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * Writer settings. Immutable; start from {@link #defaults()}.
 *
 * @param memtableSize bytes buffered before a memtable is frozen and flushed (default 64 MiB)
 * @param flushInterval a non-empty memtable older than this is flushed (default 1 s; zero turns
 *     interval flushes off)
 * @param maxImmutableMemtables frozen memtables waiting for upload before {@code put} blocks
 *     (default 2); memory stays below about {@code (1 + this) * memtableSize}
 * @param blobThreshold values of at least this many bytes are stored as separate blobs (default 256
 *     KiB); 1 to {@link #MAX_INLINE_VALUE_SIZE}, because a smaller value is stored inside a table
 * @param table layout of flushed tables (default {@link TableSettings#writerDefaults()}: LZ4, 16
 *     KiB blocks, 10 bloom bits per key)
 * @param flushRetries attempts of one flush after transient storage failures before the writer
 *     fails (default 5)
 * @param newestVersionOnly keep only the newest entry of each key when a memtable is flushed
 *     (default false): older versions of a key overwritten before the flush never reach storage, so
 *     reads are unchanged but a tailing reader sees only the last write of each key per flush (what
 *     a state backend wants: it needs state, not history)
 * @param cache the writer's local read path (default {@link ReaderOptions#defaults()}: a private
 *     temporary directory, 1 GiB disk cache, 64 MiB block cache): tables this writer flushes are
 *     written through to its disk cache and opened (index and bloom filter in memory) as they are
 *     committed, so reading them back through the writer never downloads them. Of its fields,
 *     {@code cacheDir}, {@code diskCacheBytes} (0 turns write-through off), {@code
 *     blockCacheBytes}, {@code smallTableBytes}, {@code hotTableReads} and {@code maxOpenTables}
 *     apply; {@code autoRefreshInterval} is ignored
 */
public record WriterOptions(
    long memtableSize,
    Duration flushInterval,
    int maxImmutableMemtables,
    int blobThreshold,
    TableSettings table,
    int flushRetries,
    boolean newestVersionOnly,
    ReaderOptions cache) {

  // The size limits, in one place. A value below the blob threshold is stored inline in a table,
  // where the SST format bounds it (MAX_INLINE_VALUE_SIZE); a value at or above the threshold
  // becomes a blob, bounded by MAX_VALUE_SIZE. Bounding the threshold by the inline limit makes
  // every value put accepts storable, so a put can never be accepted and then fail its flush.

  /** Largest key accepted by {@code put} and {@code delete}: the SST format's key limit, 64 KiB. */
  public static final int MAX_KEY_SIZE = SstFormat.MAX_KEY_LENGTH;

  /**
   * Largest value a table stores inline, 64 MiB: the SST format's value limit. Also the largest
   * {@code blobThreshold}.
   */
  public static final int MAX_INLINE_VALUE_SIZE = SstFormat.MAX_VALUE_LENGTH;

  /**
   * Largest value accepted by {@code put}, 256 MiB: the blob limit (values this large are always
   * blobs, since the blob threshold is at most {@link #MAX_INLINE_VALUE_SIZE}). Readers hold a blob
   * in memory whole.
   */
  public static final int MAX_VALUE_SIZE = 256 << 20;

  public WriterOptions {
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(cache, "cache");
    if (memtableSize < 64 * 1024) {
      throw IsleException.invalidArgument(
          "memtableSize must be at least 64 KiB, got " + memtableSize);
    }
    if (flushInterval.isNegative()) {
      throw IsleException.invalidArgument(
          "flushInterval must not be negative, got " + flushInterval);
    }
    if (maxImmutableMemtables < 1) {
      throw IsleException.invalidArgument(
          "maxImmutableMemtables must be at least 1, got " + maxImmutableMemtables);
    }
    checkBlobThreshold(blobThreshold);
    if (flushRetries < 0) {
      throw IsleException.invalidArgument("flushRetries must not be negative, got " + flushRetries);
    }
  }

  /**
   * Checks a {@code blobThreshold} option (of this class and {@link SstWriterOptions}): values
   * below it are stored inline, so it must not exceed {@link #MAX_INLINE_VALUE_SIZE}.
   */
  static void checkBlobThreshold(int blobThreshold) {
    if (blobThreshold < 1 || blobThreshold > MAX_INLINE_VALUE_SIZE) {
      throw IsleException.invalidArgument(
          "blobThreshold must be in [1, "
              + MAX_INLINE_VALUE_SIZE
              + "] (values below it are stored inline in a table, whose limit is "
              + MAX_INLINE_VALUE_SIZE
              + " bytes), got "
              + blobThreshold);
    }
  }

  /** The defaults listed on the record. */
  public static WriterOptions defaults() {
    return new WriterOptions(
        64L * 1024 * 1024,
        Duration.ofSeconds(1),
        2,
        256 * 1024,
        TableSettings.writerDefaults(),
        5,
        false,
        ReaderOptions.defaults());
  }

  public WriterOptions withMemtableSize(long v) {
    return new WriterOptions(
        v,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        table,
        flushRetries,
        newestVersionOnly,
        cache);
  }

  public WriterOptions withFlushInterval(Duration v) {
    return new WriterOptions(
        memtableSize,
        v,
        maxImmutableMemtables,
        blobThreshold,
        table,
        flushRetries,
        newestVersionOnly,
        cache);
  }

  public WriterOptions withMaxImmutableMemtables(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        v,
        blobThreshold,
        table,
        flushRetries,
        newestVersionOnly,
        cache);
  }

  public WriterOptions withBlobThreshold(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        v,
        table,
        flushRetries,
        newestVersionOnly,
        cache);
  }

  public WriterOptions withTable(TableSettings v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        v,
        flushRetries,
        newestVersionOnly,
        cache);
  }

  /** Shorthand for {@code withTable(table().withBlockSize(v))}. */
  public WriterOptions withBlockSize(int v) {
    return withTable(table.withBlockSize(v));
  }

  public WriterOptions withNewestVersionOnly(boolean v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        table,
        flushRetries,
        v,
        cache);
  }

  public WriterOptions withCache(ReaderOptions v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        table,
        flushRetries,
        newestVersionOnly,
        v);
  }

  public WriterOptions withFlushRetries(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        table,
        v,
        newestVersionOnly,
        cache);
  }
}
