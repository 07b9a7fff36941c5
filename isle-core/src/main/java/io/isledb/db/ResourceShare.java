package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import io.isledb.db.read.SharedDisk;
import io.isledb.util.Internal;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@link IsleResources#share}: the pools, disk cache, FileSystems and commit signals of its parent
 * {@link SharedResourcesImpl}, with its own memtable budget and block cache (for example the
 * managed memory of one Flink slot). Closing it drops its block cache and stops new databases from
 * using it; the parent stays open.
 */
@Internal
public final class ResourceShare implements IsleResources, Resources {
  private final SharedResourcesImpl parent;
  private final IsleResourcesOptions options;
  private final MemtableBudget budget;
  private final CachedBlocks blocks;
  private volatile boolean closed;

  ResourceShare(SharedResourcesImpl parent, long memtableBudgetBytes, long blockCacheBytes) {
    this.parent = parent;
    this.options =
        parent
            .options()
            .withMemtableBudgetBytes(memtableBudgetBytes)
            .withBlockCacheBytes(blockCacheBytes);
    this.budget = new MemtableBudget(memtableBudgetBytes);
    this.blocks =
        blockCacheBytes > 0
            ? CachedBlocks.create(blockCacheBytes, options.offHeapBlockCache(), false)
            : null;
  }

  private void checkOpen() {
    if (closed) {
      throw IsleException.closed("resource share");
    }
  }

  // ------------------------------------------------------------------ IsleResources

  @Override
  public ObjectStore openStore(String uri, String prefix, Map<String, String> hadoopConf) {
    checkOpen();
    return parent.openStore(uri, prefix, hadoopConf);
  }

  @Override
  public IsleResources share(long memtableBudgetBytes, long blockCacheBytes) {
    checkOpen();
    return parent.share(memtableBudgetBytes, blockCacheBytes);
  }

  @Override
  public IsleResourcesOptions options() {
    return options;
  }

  @Override
  public long blockCacheBytes() {
    return blocks == null ? 0 : blocks.weight();
  }

  /**
   * Block-cache counts are this share's own cache; disk-cache counts are the parent's, since the
   * disk cache is shared by every share.
   */
  @Override
  public io.isledb.CacheStats cacheStats() {
    io.isledb.CacheStats disk = parent.cacheStats();
    if (blocks == null) {
      return new io.isledb.CacheStats(0, 0, disk.diskCacheHits(), disk.diskCacheMisses());
    }
    com.github.benmanes.caffeine.cache.stats.CacheStats s = blocks.cache().stats();
    return new io.isledb.CacheStats(
        s.hitCount(), s.missCount(), disk.diskCacheHits(), disk.diskCacheMisses());
  }

  @Override
  public long diskCacheBytes() {
    return parent.diskCacheBytes();
  }

  @Override
  public long memtableBytes() {
    return budget.used();
  }

  @Override
  public int openFileSystems() {
    return parent.openFileSystems();
  }

  /** The memtable budget of this share (tests read its peak). */
  public MemtableBudget budget() {
    return budget;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (blocks != null) {
      blocks.close();
    }
    parent.removeShare(this);
  }

  // ------------------------------------------------------------------ Resources

  @Override
  public ExecutorService flushExecutor(String name, int privateThreads) {
    checkOpen();
    return parent.flushExecutor(name, privateThreads);
  }

  @Override
  public ScheduledExecutorService compactionScheduler(String name, int privateThreads) {
    checkOpen();
    return parent.compactionScheduler(name, privateThreads);
  }

  @Override
  public ScheduledExecutorService maintenanceScheduler(String name) {
    checkOpen();
    return parent.maintenanceScheduler(name);
  }

  @Override
  public ScheduledExecutorService leaseScheduler(String name, ScheduledExecutorService roleOwn) {
    checkOpen();
    return parent.leaseScheduler(name, roleOwn);
  }

  @Override
  public ExecutorService downloadExecutor(String name) {
    checkOpen();
    return parent.downloadExecutor(name);
  }

  @Override
  public CachedBlocks blockCache(long privateBytes, boolean privateOffHeap) {
    return blocks;
  }

  @Override
  public long newCacheId() {
    return parent.newCacheId(); // unique across the parent and all its shares
  }

  @Override
  public MemtableBudget memtableBudget() {
    return budget;
  }

  @Override
  public CommitSignal commitSignal(ObjectStore store) {
    return parent.commitSignal(store);
  }

  @Override
  public FlushPriority flushPriority() {
    return parent.flushPriority();
  }

  @Override
  public SharedDisk sharedDisk(ObjectStore store) {
    checkOpen();
    return parent.sharedDisk(store);
  }
}
