package io.isledb;

/**
 * Hits and misses of the block cache and the disk cache, cumulative: of one writer's reads ({@link
 * Writer#cacheStats()}), or of every database sharing one {@link IsleResources} ({@link
 * IsleResources#cacheStats()}).
 *
 * @param blockCacheHits block reads served from the in-memory block cache
 * @param blockCacheMisses block reads that had to load the block (from the disk cache or storage);
 *     concurrent reads of one missing block load it once and count one miss
 * @param diskCacheHits tables found in the local disk cache when opened
 * @param diskCacheMisses tables not found in the local disk cache when opened (read from storage,
 *     possibly downloaded into the cache)
 */
public record CacheStats(
    long blockCacheHits, long blockCacheMisses, long diskCacheHits, long diskCacheMisses) {
  /** No lookups. */
  public static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0);

  /** Hits over lookups of the block cache; 0 before the first lookup. */
  public double blockCacheHitRatio() {
    return ratio(blockCacheHits, blockCacheMisses);
  }

  /** Hits over lookups of the disk cache; 0 before the first lookup. */
  public double diskCacheHitRatio() {
    return ratio(diskCacheHits, diskCacheMisses);
  }

  private static double ratio(long hits, long misses) {
    long all = hits + misses;
    return all == 0 ? 0 : (double) hits / all;
  }
}
