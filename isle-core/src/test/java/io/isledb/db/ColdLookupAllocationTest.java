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
 * returns and, on a block cache miss, the decoded block the cache keeps. Allocation, unlike time,
 * is not moved by the machine's load; a cold reader's garbage is what its collector pauses are made
 * of. Counted with {@code ThreadMXBean#getCurrentThreadAllocatedBytes} over many lookups (the
 * counter is exact for the thread; nothing else runs on it), with the tables of {@link
 * ColdReadCosts} on {@code file://}, opened up front ({@code preopenBytes}) so table opens are not
 * counted.
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
   * What a block cache miss allocates besides the block the cache keeps: the cache's own entry
   * (Caffeine's node and compute bookkeeping, about 300 bytes) and the read's buffer view and
   * checksum (about 480 in all; 587 when every block read built its name for messages).
   */
  private static final long MISS_OVERHEAD = 560;

  /** The value array {@link ColdReadCosts#fill} stores: 200 bytes plus the array header. */
  private static final long VALUE_ARRAY = 216;

  @TempDir Path dir;

  @Test
  void lookupsAllocateLittleBeyondTheirValueAndTheCachedBlock() {
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
        String msg =
            String.format(
                "per lookup: cold %d bytes (%d in cached blocks), hot %d bytes; %d misses, %d"
                    + " bytes per miss besides its block",
                coldBytes / n,
                cachedBlocks / n,
                hotBytes / n,
                misses,
                (coldBytes - cachedBlocks - hotBytes) / misses);
        System.out.println("ColdLookupAllocationTest " + msg);
        assertThat(hotOverhead).as(msg).isLessThanOrEqualTo(HOT_OVERHEAD);
        long perMiss = (coldBytes - cachedBlocks - hotBytes) / misses;
        assertThat(perMiss).as(msg).isLessThanOrEqualTo(MISS_OVERHEAD);
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
