package io.isledb;

import java.nio.file.Path;

/**
 * Sizes of the resources shared by the databases opened with one {@link IsleResources}. Immutable;
 * start from {@link #defaults()} and change fields with the {@code withX} methods.
 *
 * @param flushThreads threads that build and upload every writer's frozen memtables (default 4)
 * @param compactionThreads threads that run every compactor and retention compactor (default 2)
 * @param maintenanceThreads threads for the periodic work of every database: writer flush timers,
 *     reader refreshes, garbage collectors (default 2)
 * @param downloadThreads threads that download tables into the disk cache for every reader (default
 *     4)
 * @param blockCacheBytes one block cache for every reader, in bytes of decoded blocks (default 256
 *     MiB; 0 disables block caching). Replaces {@link ReaderOptions#blockCacheBytes()}.
 * @param memtableBudgetBytes memtable bytes (active and frozen, not yet committed) across every
 *     writer (default 256 MiB). A put that finds the budget used up first makes the largest active
 *     memtable flush, then waits until flushes free enough; {@link WriterOptions#memtableSize()}
 *     and {@link WriterOptions#maxImmutableMemtables()} still apply per writer.
 * @param diskCacheDir local directory of the one disk cache of whole tables shared by every reader
 *     and writer (default null: a private temporary directory under {@code java.io.tmpdir}, created
 *     in the background when the resources are made and deleted when they are closed). A directory
 *     given here is kept at close and its files are reused (CRC32C-verified) by the next resources
 *     opened on it. Replaces {@link ReaderOptions#cacheDir()} for cached tables.
 * @param diskCacheBytes byte budget of that disk cache across every database, least recently used
 *     file evicted first (default 2 GiB; 0 disables disk caching). Tables written through by
 *     writers count in the same budget. Replaces {@link ReaderOptions#diskCacheBytes()}, except
 *     that a reader or writer whose {@code diskCacheBytes} is 0 still stays out of the disk cache.
 *     Files of a closed database are not dropped: they leave by LRU.
 * @param offHeapBlockCache whether the shared block cache (and each share's) keeps decoded blocks
 *     in native memory (a slab arena, freed slot by slot as blocks are evicted) instead of heap
 *     arrays, so a cold lookup allocates no block on the Java heap and young collections do not
 *     copy cached blocks (default true). The arena holds at most the cache's budget plus an eighth
 *     (at least 4 MiB) of native memory, counted against the JVM's direct memory limit ({@code
 *     -XX:MaxDirectMemorySize}; in Flink, task off-heap memory): blocks that do not fit in seven
 *     eighths of it stay on the heap. Released memory is pooled per process (up to 64 MiB) for the
 *     next cache; point lookups read a cached block in place and copy out only their value. False
 *     keeps cached blocks on the heap, as before
 */
public record IsleResourcesOptions(
    int flushThreads,
    int compactionThreads,
    int maintenanceThreads,
    int downloadThreads,
    long blockCacheBytes,
    long memtableBudgetBytes,
    Path diskCacheDir,
    long diskCacheBytes,
    boolean offHeapBlockCache) {

  public IsleResourcesOptions {
    positive("flushThreads", flushThreads);
    positive("compactionThreads", compactionThreads);
    positive("maintenanceThreads", maintenanceThreads);
    positive("downloadThreads", downloadThreads);
    if (blockCacheBytes < 0) {
      throw IsleException.invalidArgument(
          "blockCacheBytes must not be negative, got " + blockCacheBytes);
    }
    if (memtableBudgetBytes < 1) {
      throw IsleException.invalidArgument(
          "memtableBudgetBytes must be positive, got " + memtableBudgetBytes);
    }
    if (diskCacheBytes < 0) {
      throw IsleException.invalidArgument(
          "diskCacheBytes must not be negative, got " + diskCacheBytes);
    }
  }

  private static void positive(String name, int n) {
    if (n < 1) {
      throw IsleException.invalidArgument(name + " must be at least 1, got " + n);
    }
  }

  /**
   * 4 flush, 2 compaction, 2 maintenance, 4 download threads; 256 MiB block cache and memtables; a
   * 2 GiB disk cache in a private temporary directory.
   */
  public static IsleResourcesOptions defaults() {
    return new IsleResourcesOptions(4, 2, 2, 4, 256L << 20, 256L << 20, null, 2L << 30, true);
  }

  public IsleResourcesOptions withFlushThreads(int n) {
    return new IsleResourcesOptions(
        n,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withCompactionThreads(int n) {
    return new IsleResourcesOptions(
        flushThreads,
        n,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withMaintenanceThreads(int n) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        n,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withDownloadThreads(int n) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        n,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withBlockCacheBytes(long bytes) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        bytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withMemtableBudgetBytes(long bytes) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        bytes,
        diskCacheDir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withDiskCacheDir(Path dir) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        dir,
        diskCacheBytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withDiskCacheBytes(long bytes) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        bytes,
        offHeapBlockCache);
  }

  public IsleResourcesOptions withOffHeapBlockCache(boolean v) {
    return new IsleResourcesOptions(
        flushThreads,
        compactionThreads,
        maintenanceThreads,
        downloadThreads,
        blockCacheBytes,
        memtableBudgetBytes,
        diskCacheDir,
        diskCacheBytes,
        v);
  }
}
