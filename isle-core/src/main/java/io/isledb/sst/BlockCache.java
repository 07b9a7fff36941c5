package io.isledb.sst;

import io.isledb.util.Internal;
import java.util.function.Function;

/**
 * A cache of decoded (checksum-verified, decompressed) data {@link Block}s shared by many tables.
 * Size it by {@link Block#memorySize()}. Implementations must be thread-safe.
 *
 * <p>{@link TableReader} calls only {@link #getOrLoad}, with the loader {@link #loaderFor} made for
 * it. Its default implementation is {@code get}, then on a miss the loader, then {@code put}: two
 * threads missing the same block at once both read it. An implementation backed by a loading cache
 * (for example Caffeine's {@code cache.get(key, loader)}) should override it so concurrent misses
 * share one read. A loader that throws must leave nothing cached.
 */
@Internal
public interface BlockCache {
  /** The cached block, or null. */
  Block get(BlockCacheKey key);

  /** Caches {@code block} under {@code key}, possibly evicting others. */
  void put(BlockCacheKey key, Block block);

  /** The cached block, or the loader's block, cached, on a miss. */
  default Block getOrLoad(BlockCacheKey key, Function<BlockCacheKey, Block> loader) {
    Block b = get(key);
    if (b == null) {
      b = loader.apply(key);
      put(key, b);
    }
    return b;
  }

  /**
   * The loader a table passes to every {@link #getOrLoad} call, made once per table from its own
   * {@code load}: a cache that counts its loads wraps it here, so that a lookup finding its block
   * cached allocates no function. The default is {@code load} itself.
   */
  default Function<BlockCacheKey, Block> loaderFor(Function<BlockCacheKey, Block> load) {
    return load;
  }

  /**
   * Where the blocks this cache keeps are decoded: native memory slots ({@link Block#release()}
   * frees a block's slot when the cache evicts it), or null to keep cached blocks on the heap.
   */
  default BlockArena arena() {
    return null;
  }

  /** A cache that keeps nothing: every block access reads storage. */
  static BlockCache none() {
    return NoBlockCache.INSTANCE;
  }
}

/** The cache that caches nothing. */
final class NoBlockCache implements BlockCache {
  static final NoBlockCache INSTANCE = new NoBlockCache();

  private NoBlockCache() {}

  @Override
  public Block get(BlockCacheKey key) {
    return null;
  }

  @Override
  public void put(BlockCacheKey key, Block block) {}

  @Override
  public Block getOrLoad(BlockCacheKey key, Function<BlockCacheKey, Block> loader) {
    return loader.apply(key);
  }
}
