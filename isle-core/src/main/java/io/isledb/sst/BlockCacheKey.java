package io.isledb.sst;

import io.isledb.util.Internal;

/**
 * Identifies one block in a {@link BlockCache}: the table's cache id (unique per table file for the
 * cache's lifetime, chosen by whoever opens the table) and the block's offset in that file.
 */
@Internal
public record BlockCacheKey(long cacheId, long blockOffset) {}
