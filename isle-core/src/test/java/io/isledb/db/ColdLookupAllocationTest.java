package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap bytes a point lookup allocates on the calling thread, apart from what it must: the value it
 * returns. The decoded block a cache miss adds to the block cache is in native memory (the cache's
 * {@code BlockArena}), not on the heap. Allocation, unlike time, is not moved by the machine's
 * load; a cold reader's heap garbage and the cached blocks a young collection would copy are what
 * its collector pauses are made of. Counted with {@code
 * ThreadMXBean#getCurrentThreadAllocatedBytes} over many lookups (the counter is exact for the
 * thread; nothing else runs on it), with the tables of {@link ColdReadCosts} on {@code file://},
 * opened up front ({@code preopenBytes}) so table opens are not counted.
 */
class ColdLookupAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * A lookup's own objects besides its value: the Optional, the entry and the cache key (88 bytes
   * with compressed pointers; 441 before lookups stopped allocating iterators, functions and a key
   * copy).
   */
  private static final long HOT_OVERHEAD = 128;

  /**
   * What a block cache miss allocates on the heap, the block included: the cache's own entry
   * (Caffeine's node and compute bookkeeping, about 300 bytes), the read's buffer view and
   * checksum, and the block's handle (its object, arena slot and buffer view): about 690 bytes in
   * all, the block's bytes being in native memory. Before the off-heap cache a miss allocated 480
   * bytes plus the decoded block (4 KiB here, 16 KiB with the default block size).
   */
  private static final long MISS_OVERHEAD = 800;

  /** The value array {@link ColdReadCosts#fill} stores: 200 bytes plus the array header. */
  private static final long VALUE_ARRAY = 216;

  @TempDir Path dir;

  @Test
  void lookupsAllocateLittleBeyondTheirValueAndNoBlockOnTheHeap() {
    assertThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      ReaderOptions cold =
          ReaderOptions.defaults()
              .withDiskCacheBytes(0)
              .withSmallTableBytes(0)
              .withBlockCacheBytes(256 << 20)
              .withPreopenBytes(64 << 20);
      // Warm up the code (class loading, thread-local buffers) on a reader of its own.
      try (Reader r = IsleDB.openReader(store, cold)) {
        lookups(r, 1, 2_000);
      }
      try (Reader r = IsleDB.openReader(store, cold)) {
        int n = 1_500;
        long cached0 = r.stats().blockCacheBytes();
        long misses0 = r.stats().blockCacheMisses();
        long coldBytes = lookups(r, 2, n);
        long cachedBlocks = r.stats().blockCacheBytes() - cached0;
        long misses = r.stats().blockCacheMisses() - misses0;
        assertThat(misses).as("most lookups miss the cache").isGreaterThan(n / 2);

        long hotBytes = lookups(r, 2, n); // the same keys: every block is cached now
        assertThat(r.stats().blockCacheMisses() - misses0).isEqualTo(misses);
        long hotOverhead = hotBytes / n - VALUE_ARRAY;
        long perMiss = (coldBytes - hotBytes) / misses;
        String msg =
            String.format(
                "per lookup: cold %d bytes (%d of cached blocks, off the heap), hot %d bytes; %d"
                    + " misses, %d heap bytes per miss",
                coldBytes / n, cachedBlocks / n, hotBytes / n, misses, perMiss);
        System.out.println("ColdLookupAllocationTest " + msg);
        assertThat(cachedBlocks).as("blocks were cached").isPositive();
        assertThat(hotOverhead).as(msg).isLessThanOrEqualTo(HOT_OVERHEAD);
        assertThat(perMiss).as(msg).isLessThanOrEqualTo(MISS_OVERHEAD);
      }
      // The heap cache (the behaviour before offHeapBlockCache) puts every missed block on the
      // heap, which the bound above does not allow.
      try (Reader r = IsleDB.openReader(store, cold.withOffHeapBlockCache(false))) {
        int n = 1_500;
        long misses0 = r.stats().blockCacheMisses();
        long coldBytes = lookups(r, 2, n);
        long misses = r.stats().blockCacheMisses() - misses0;
        long hotBytes = lookups(r, 2, n);
        assertThat((coldBytes - hotBytes) / misses)
            .as("heap bytes per miss with the heap cache")
            .isGreaterThan(ColdReadCosts.BLOCK_SIZE);
      }
    }
  }

  /** Bytes this thread allocated for {@code n} lookups of keys drawn with {@code seed}. */
  private static long lookups(Reader r, long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(ColdReadCosts.SEED + seed);
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = ColdReadCosts.key(rnd.nextInt(ColdReadCosts.KEYS));
    }
    long found = 0;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (byte[] k : keys) {
      found += r.get(k).isPresent() ? 1 : 0;
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(found).as("seed %d", ColdReadCosts.SEED + seed).isEqualTo(n);
    return allocated;
  }
}
