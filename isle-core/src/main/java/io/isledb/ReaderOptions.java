package io.isledb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Reader settings. Immutable; start from {@link #defaults()}.
 *
 * @param cacheDir local directory for the SST disk cache; null means a private temporary directory
 *     deleted on close. A configured directory survives restarts (files are re-verified).
 * @param blockCacheBytes in-memory cache of decompressed blocks (default 64 MiB; 0 disables)
 * @param diskCacheBytes local disk cache of whole SST files (default 1 GiB; 0 disables)
 * @param smallTableBytes tables up to this size are downloaded whole on first use (default 1 MiB)
 * @param hotTableReads a table is downloaded whole after this many block reads from storage
 *     (default 8)
 * @param autoRefreshInterval move to the newest version in the background at this interval (zero,
 *     the default, means only on {@code refresh()})
 * @param maxOpenTables tables whose index and filter stay in memory (default 10,000)
 * @param preopenBytes when the reader moves to a version (when it opens and on each refresh that
 *     finds a new one), it opens that version's tables at once, in lookup order, as long as their
 *     meta sections (index, bloom filter and properties, as the manifest records them) add up to at
 *     most this many bytes: a lookup then never pays a table open. Costs one ranged read per table
 *     opened, paid by the open or refresh (default 0: every table is opened at its first read)
 * @param offHeapBlockCache whether this reader's private block cache keeps its decoded blocks in
 *     native memory (a slab arena, freed slot by slot as blocks are evicted) instead of heap
 *     arrays, so a cold lookup allocates no block on the Java heap and young collections do not
 *     copy cached blocks (default true). The arena holds at most the cache's budget plus an eighth
 *     (at least 4 MiB) of native memory, counted against the JVM's direct memory limit ({@code
 *     -XX:MaxDirectMemorySize}; in Flink, task off-heap memory): blocks that do not fit in seven
 *     eighths of it stay on the heap. Released memory is pooled per process (up to 64 MiB) for the
 *     next cache; point lookups read a cached block in place and copy out only their value. False
 *     keeps cached blocks on the heap, as before. A reader on {@link IsleResources} uses the shared
 *     cache and {@link IsleResourcesOptions#offHeapBlockCache()} instead
 */
public record ReaderOptions(
    Path cacheDir,
    long blockCacheBytes,
    long diskCacheBytes,
    long smallTableBytes,
    int hotTableReads,
    Duration autoRefreshInterval,
    int maxOpenTables,
    long preopenBytes,
    boolean offHeapBlockCache) {

  public ReaderOptions {
    Objects.requireNonNull(autoRefreshInterval, "autoRefreshInterval");
    if (blockCacheBytes < 0 || diskCacheBytes < 0 || smallTableBytes < 0) {
      throw IsleException.invalidArgument("cache sizes must not be negative");
    }
    if (hotTableReads < 1) {
      throw IsleException.invalidArgument("hotTableReads must be at least 1, got " + hotTableReads);
    }
    if (autoRefreshInterval.isNegative()) {
      throw IsleException.invalidArgument("autoRefreshInterval must not be negative");
    }
    if (maxOpenTables < 1) {
      throw IsleException.invalidArgument("maxOpenTables must be at least 1, got " + maxOpenTables);
    }
    if (preopenBytes < 0) {
      throw IsleException.invalidArgument("preopenBytes must not be negative, got " + preopenBytes);
    }
  }

  /** The defaults listed on the record. */
  public static ReaderOptions defaults() {
    return new ReaderOptions(
        null, 64L << 20, 1L << 30, 1L << 20, 8, Duration.ZERO, 10_000, 0, true);
  }

  public ReaderOptions withCacheDir(Path v) {
    return new ReaderOptions(
        v,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withBlockCacheBytes(long v) {
    return new ReaderOptions(
        cacheDir,
        v,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withDiskCacheBytes(long v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        v,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withSmallTableBytes(long v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        v,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withHotTableReads(int v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        v,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withAutoRefreshInterval(Duration v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        v,
        maxOpenTables,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withMaxOpenTables(int v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        v,
        preopenBytes,
        offHeapBlockCache);
  }

  public ReaderOptions withPreopenBytes(long v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        v,
        offHeapBlockCache);
  }

  public ReaderOptions withOffHeapBlockCache(boolean v) {
    return new ReaderOptions(
        cacheDir,
        blockCacheBytes,
        diskCacheBytes,
        smallTableBytes,
        hotTableReads,
        autoRefreshInterval,
        maxOpenTables,
        preopenBytes,
        v);
  }
}
