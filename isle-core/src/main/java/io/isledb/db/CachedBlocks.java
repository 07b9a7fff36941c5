package io.isledb.db;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.isledb.sst.Block;
import io.isledb.sst.BlockArena;
import io.isledb.sst.BlockCacheKey;
import io.isledb.util.Internal;

/**
 * A block cache: the index of cached blocks (Caffeine, on the heap: keys and small block handles)
 * and, when off-heap, the {@link BlockArena} holding the blocks' bytes in native memory. A block
 * leaving the index (evicted, replaced, invalidated) drops the cache's reference to it, which frees
 * its slot once no lookup reads it any more.
 */
@Internal
public final class CachedBlocks implements AutoCloseable {
  private static final long MAX_PRESIZED_BLOCKS = 1 << 16;

  private final Cache<BlockCacheKey, Block> cache;
  private final BlockArena arena;
  private final boolean closedByUser;

  private CachedBlocks(Cache<BlockCacheKey, Block> cache, BlockArena arena, boolean closedByUser) {
    this.cache = cache;
    this.arena = arena;
    this.closedByUser = closedByUser;
  }

  /**
   * A block cache bounded by the decoded size of its blocks. Its table is sized up front for the
   * number of default-sized blocks the budget holds (capped), so a cache filling up from empty
   * (every cold reader) does not rehash as it grows; its maintenance (the eviction policy's
   * bookkeeping after writes, and the release of evicted blocks) runs on the calling thread instead
   * of waking a pool thread for each inserted block.
   *
   * @param bytes the budget, in decoded bytes of the blocks (slot sizes for off-heap blocks)
   * @param offHeap whether blocks are decoded into native memory (a {@link BlockArena} of at most
   *     {@code bytes} plus an eighth for size-class slack) instead of heap arrays
   * @param closedByUser whether the one reader using it closes it (a private cache), rather than
   *     the shared resources that made it
   */
  public static CachedBlocks create(long bytes, boolean offHeap, boolean closedByUser) {
    int expected = (int) Math.min(MAX_PRESIZED_BLOCKS, Math.max(16, bytes / (16 << 10)));
    Cache<BlockCacheKey, Block> cache =
        Caffeine.newBuilder()
            .initialCapacity(expected)
            .executor(Runnable::run)
            .maximumWeight(bytes)
            .weigher((BlockCacheKey k, Block b) -> b.memorySize())
            .removalListener(
                (BlockCacheKey k, Block b, RemovalCause c) -> {
                  if (b != null) {
                    b.release();
                  }
                })
            .recordStats()
            .build();
    BlockArena arena = offHeap ? new BlockArena(bytes + Math.max(bytes / 8, 4L << 20)) : null;
    return new CachedBlocks(cache, arena, closedByUser);
  }

  /** The index of cached blocks. */
  public Cache<BlockCacheKey, Block> cache() {
    return cache;
  }

  /** Where blocks are decoded for this cache, or null when they stay on the heap. */
  public BlockArena arena() {
    return arena;
  }

  /** Whether the reader using this cache closes it (a private cache). */
  public boolean closedByUser() {
    return closedByUser;
  }

  /** The cached blocks' weight, in bytes. */
  public long weight() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /** Empties the cache and returns the arena's native memory (blocks being read: after them). */
  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
    if (arena != null) {
      arena.close();
    }
  }
}
