package io.isledb.db.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ReaderOptions;
import io.isledb.db.Resources;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.Block;
import io.isledb.sst.BlockCache;
import io.isledb.sst.BlockCacheKey;
import io.isledb.sst.TableReader;
import io.isledb.util.Internal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Open tables of one reader: their index and bloom filter stay in memory (bounded by count), their
 * blocks go through a size-bounded block cache, and whole files through the disk cache.
 */
@Internal
public final class Tables implements AutoCloseable {
  /** An open table: its reader and where its bytes come from. */
  public record Open(SstMeta meta, TableReader reader, TableSource source) {}

  private final ObjectStore store;
  private final io.isledb.db.Homes homes; // where borrowed tables live
  private final ReaderOptions options;
  private final DiskCache disk;
  private final String diskPrefix; // before each table id in the disk cache ("" when private)
  private final ExecutorService downloader;
  private final Cache<String, Open> open;
  private final io.isledb.db.CachedBlocks cached; // null when there is no block cache
  private final Cache<BlockCacheKey, Block> blocks;
  private final BlockCache blockCache;
  private final Resources resources;
  final ReaderCounters counters = new ReaderCounters();

  /**
   * Tables for a background role that reads each table once (GC, compaction): no block cache, no
   * disk cache; tables up to {@code smallTableBytes} are read whole.
   */
  public static Tables uncached(ObjectStore store, long smallTableBytes, int maxOpenTables) {
    return new Tables(
        store,
        ReaderOptions.defaults()
            .withBlockCacheBytes(0)
            .withDiskCacheBytes(0)
            .withSmallTableBytes(smallTableBytes)
            .withMaxOpenTables(maxOpenTables),
        null,
        new io.isledb.db.PrivateResources());
  }

  Tables(ObjectStore store, ReaderOptions options, Path cacheDir, Resources resources) {
    this.resources = resources;
    this.store = store;
    this.homes = new io.isledb.db.Homes(store);
    this.options = options;
    SharedDisk shared = resources.sharedDisk(store);
    if (shared != null) {
      // The resources' cache and budget replace the reader's own; 0 still opts this one out.
      this.disk = options.diskCacheBytes() > 0 ? shared.cache() : null;
      this.diskPrefix = shared.key("");
    } else {
      this.disk =
          options.diskCacheBytes() > 0 ? new DiskCache(cacheDir, options.diskCacheBytes()) : null;
      this.diskPrefix = "";
    }
    this.downloader = resources.downloadExecutor("isledb-download " + store.location());
    this.open =
        Caffeine.newBuilder()
            // Maintenance and the closing of evicted tables on the calling thread: the common
            // pool's hand-off (a wake-up, at first a thread start) cost more than the work.
            .executor(Runnable::run)
            .maximumSize(options.maxOpenTables())
            .removalListener(
                (String id, Open o, RemovalCause c) -> {
                  if (o != null) {
                    o.source().close();
                  }
                })
            .build();
    this.cached = resources.blockCache(options.blockCacheBytes(), options.offHeapBlockCache());
    this.blocks = cached == null ? null : cached.cache();
    if (blocks != null) {
      this.blockCache =
          new BlockCache() {
            @Override
            public Block get(BlockCacheKey key) {
              Block b = blocks.getIfPresent(key);
              counters.blockLookups.increment();
              if (b == null) {
                counters.blockMisses.increment();
              }
              return b;
            }

            @Override
            public void put(BlockCacheKey key, Block block) {
              blocks.put(key, block);
            }

            @Override
            public Function<BlockCacheKey, Block> loaderFor(Function<BlockCacheKey, Block> load) {
              return k -> {
                counters.blockMisses.increment();
                return load.apply(k);
              };
            }

            /** {@code loader} is from {@link #loaderFor}: it counts the misses. */
            @Override
            public Block getOrLoad(BlockCacheKey key, Function<BlockCacheKey, Block> loader) {
              counters.blockLookups.increment();
              return blocks.get(key, loader);
            }

            @Override
            public io.isledb.sst.BlockArena arena() {
              return cached.arena();
            }
          };
    } else {
      this.blockCache = BlockCache.none();
    }
  }

  /** The open table for {@code meta}, opening it (one read, or a whole download) if needed. */
  public Open get(SstMeta meta) {
    // Looked up first without a loader: a lookup of an open table allocates no function.
    Open o = open.getIfPresent(meta.id());
    return o != null ? o : open.get(meta.id(), id -> openTable(meta));
  }

  private Open openTable(SstMeta meta) {
    TableSource src =
        new TableSource(
            meta,
            diskKey(meta.id()),
            homes.of(meta.home()),
            disk,
            downloader,
            options.hotTableReads(),
            counters);
    try {
      src.attachCached();
      if (!src.isLocal()) {
        if (meta.size() <= options.smallTableBytes()) {
          src.downloadNow();
        } else {
          src.prefetchTail();
        }
      }
      TableReader r =
          TableReader.open(meta.objectName(), meta.size(), src, blockCache, resources.newCacheId())
              .clip(meta.clipFrom(), meta.clipTo());
      src.dropPrefetch();
      counters.tableOpens.increment();
      return new Open(meta, r, src);
    } catch (RuntimeException e) {
      src.close();
      throw e;
    }
  }

  /**
   * Opens the tables of {@code state} that are not open yet, in lookup order (L0 newest first, then
   * the sorted runs newest first), while their meta sections add up to at most {@code preopenBytes}
   * and their count to at most {@code maxOpenTables}, so lookups on that version do not pay a table
   * open (as RocksDB's {@code DB::Open} loads every table's index and filter). Best effort: a table
   * that cannot be opened now (collected, storage failing) stops the walk and is opened at its
   * first read as before. Returns the number of tables opened.
   */
  int preopen(ManifestState state) {
    long budget = options.preopenBytes();
    if (budget <= 0) {
      return 0;
    }
    List<SstMeta> order = new ArrayList<>(state.l0());
    for (SortedRun run : state.runs()) {
      order.addAll(run.tables());
    }
    long used = 0;
    int count = 0;
    int opened = 0;
    for (SstMeta t : order) {
      used += metaBytes(t);
      if (used > budget || ++count > options.maxOpenTables()) {
        break;
      }
      if (open.getIfPresent(t.id()) == null) {
        try {
          get(t);
          opened++;
        } catch (IsleException e) {
          break;
        }
      }
    }
    return opened;
  }

  /** The bytes of a table's meta section, or its fixed tail read when the manifest lacks it. */
  private static long metaBytes(SstMeta t) {
    long tail =
        t.tailOffset() > 0
            ? t.size() - t.tailOffset()
            : Math.min(t.size(), io.isledb.sst.SstFormat.DEFAULT_TAIL_READ_LENGTH);
    return Math.max(0, tail);
  }

  /** The id of table {@code tableId} in the disk cache. */
  String diskKey(String tableId) {
    return diskPrefix + tableId;
  }

  /** The disk cache of whole tables (maybe shared with other databases), or null when it is off. */
  DiskCache disk() {
    return disk;
  }

  /** Closes every open table whose id is not in {@code ids} (no longer needed). */
  void retainOnly(java.util.Set<String> ids) {
    open.asMap().keySet().retainAll(ids);
  }

  /** Forgets a table (for example after it turned out to be missing). */
  public void invalidate(String id) {
    open.invalidate(id);
  }

  /** This object's own lookups in the block and disk caches (shared or not). */
  public io.isledb.CacheStats cacheStats() {
    long misses = counters.blockMisses.sum();
    long lookups = counters.blockLookups.sum();
    return new io.isledb.CacheStats(
        Math.max(0, lookups - misses), misses, counters.diskHits.sum(), counters.diskMisses.sum());
  }

  long blockCacheHits() {
    return blocks == null ? 0 : blocks.stats().hitCount();
  }

  long blockCacheMisses() {
    return blocks == null ? 0 : blocks.stats().missCount();
  }

  long blockCacheBytes() {
    return blocks == null
        ? 0
        : blocks.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  long diskCacheHits() {
    return disk == null ? 0 : disk.hits();
  }

  long diskCacheMisses() {
    return disk == null ? 0 : disk.misses();
  }

  long diskCacheBytes() {
    return disk == null ? 0 : disk.bytes();
  }

  @Override
  public void close() {
    open.invalidateAll();
    open.cleanUp();
    if (cached != null && cached.closedByUser()) {
      cached.close(); // a private cache: its native memory goes back now
    }
    downloader.shutdownNow();
    try {
      downloader.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
