package io.isledb.sst;

import static io.isledb.sst.SstTesting.build;
import static io.isledb.sst.SstTesting.randomModel;
import static io.isledb.sst.TableCorruptionTest.Layout;
import static io.isledb.sst.TableCorruptionTest.reseal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.isledb.CorruptionException;
import io.isledb.db.CachedBlocks;
import io.isledb.sst.SstTesting.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The off-heap block cache ({@link BlockArena} slots behind the cache index of {@link
 * CachedBlocks}): its accounting (budget, evictions and close free native memory), reference
 * counting (a reader holding an evicted block still reads its bytes; a lookup whose block was freed
 * under it reads it again), and corruption detection equal to the heap path's.
 */
class OffHeapBlockCacheTest {
  /**
   * A cache index of {@code bytes} over an arena, adapted as {@link io.isledb.db.read.Tables} does.
   */
  private static BlockCache adapter(CachedBlocks c) {
    return new BlockCache() {
      @Override
      public Block get(BlockCacheKey key) {
        return c.cache().getIfPresent(key);
      }

      @Override
      public void put(BlockCacheKey key, Block block) {
        c.cache().put(key, block);
      }

      @Override
      public Block getOrLoad(BlockCacheKey key, Function<BlockCacheKey, Block> loader) {
        return c.cache().get(key, loader);
      }

      @Override
      public BlockArena arena() {
        return c.arena();
      }
    };
  }

  private static TableReader open(byte[] file, BlockCache cache) {
    return TableReader.open("test.sst", file.length, BlockSource.of(file), cache, 1);
  }

  private static byte[] table(Model m, Compression c, int blockSize) {
    return build(m.entries(), TableOptions.defaults().withCompression(c).withBlockSize(blockSize));
  }

  @Test
  void slotSizesWasteAtMostASixteenthAndTheArenaStaysWithinItsCapacity() {
    for (int len : new int[] {1, 1000, 1025, 4096, 16_385, 17_000, 70_000, 1 << 20}) {
      int s = BlockArena.slotSize(len);
      assertThat(s).as("slot of %d", len).isGreaterThanOrEqualTo(len);
      assertThat(s - len).as("waste of %d", len).isLessThanOrEqualTo(Math.max(1023, len / 16));
    }
    try (BlockArena a = new BlockArena(2L * BlockArena.CHUNK)) {
      List<BlockArena.Slot> slots = new ArrayList<>();
      BlockArena.Slot s;
      while ((s = a.allocate(16 << 10)) != null) {
        slots.add(s);
      }
      assertThat(slots).hasSize(2 * (BlockArena.CHUNK / (16 << 10)));
      assertThat(a.reservedBytes()).isEqualTo(2L * BlockArena.CHUNK);
      assertThat(a.usedBytes()).isEqualTo(2L * BlockArena.CHUNK);
      assertThat(a.allocate(20 << 10)).as("another size class, no room").isNull();
      // Freeing one chunk's slots lets another size class take that chunk.
      for (BlockArena.Slot x : slots.subList(0, slots.size() / 2)) {
        a.free(x);
      }
      assertThat(a.allocate(20 << 10)).isNotNull();
      assertThat(a.reservedBytes()).isEqualTo(2L * BlockArena.CHUNK);
      for (BlockArena.Slot x : slots.subList(slots.size() / 2, slots.size())) {
        a.free(x);
      }
      a.close();
      assertThat(a.reservedBytes())
          .as("the 20 KiB slot keeps its chunk")
          .isEqualTo(BlockArena.CHUNK);
      assertThat(a.allocate(100)).as("closed").isNull();
    }
  }

  @Test
  void theCacheStaysWithinItsBudgetAndEvictionAndCloseFreeNativeMemory() {
    Model m = randomModel(901, 2_000, 200, 20);
    byte[] file = table(m, Compression.ZSTD, 4096);
    long budget = 64 << 10;
    CachedBlocks c = CachedBlocks.create(budget, true, true);
    try (TableReader r = open(file, adapter(c))) {
      int blocks = r.index().count();
      assertThat(blocks).as("many more blocks than the cache holds").isGreaterThan(50);
      for (int round = 0; round < 2; round++) {
        for (byte[] key : m.byKey().keySet()) {
          assertThat(r.get(key)).isEqualTo(m.newest(key, SstFormat.MAX_SEQUENCE));
        }
      }
      // Scans: blocks read ahead are copied into the arena as they are cached, cached ones copied
      // out to the heap while an iterator reads them.
      assertThat(SstTesting.readAll(r.iterator(ScanOptions.sequential(64 << 10))))
          .isEqualTo(m.entries());
      assertThat(SstTesting.readAll(r.iterator())).isEqualTo(m.entries());
      c.cache().cleanUp();
      long cached = c.cache().estimatedSize();
      assertThat(c.weight()).isPositive().isLessThanOrEqualTo(budget);
      // Every cached block holds one slot, every other slot was freed at its eviction.
      assertThat(c.arena().usedBytes()).isEqualTo(c.weight() - 64 * cached);
      assertThat(c.arena().reservedBytes()).isLessThanOrEqualTo(budget + (4 << 20));
    }
    c.close();
    assertThat(c.arena().usedBytes()).isZero();
    assertThat(c.arena().reservedBytes()).as("close returns every chunk").isZero();
  }

  @Test
  void aReaderHoldingAnEvictedBlockStillReadsItsOwnBytes() {
    Model m = randomModel(902, 600, 300, 10);
    byte[] file = table(m, Compression.LZ4, 2048);
    CachedBlocks c = CachedBlocks.create(1 << 20, true, true);
    try (TableReader heap = open(file, BlockCache.none());
        TableReader r = open(file, adapter(c))) {
      BlockCacheKey key = new BlockCacheKey(1, r.index().offset(3));
      r.dataBlock(3, true); // loads it into the cache
      Block held = c.cache().getIfPresent(key);
      assertThat(held.isDirect()).isTrue();
      assertThat(held.retain()).isTrue();
      c.cache().invalidateAll(); // evicted: the cache's reference is gone, the reader's is not
      c.cache().cleanUp();
      assertThat(c.arena().usedBytes()).as("the held slot is not freed").isPositive();
      // Other blocks come and go meanwhile; none may take the held block's slot.
      for (byte[] k : m.byKey().keySet()) {
        r.get(k);
      }
      c.cache().invalidateAll();
      c.cache().cleanUp();
      byte[] expected = heap.dataBlock(3, false).data;
      byte[] actual = held.heapCopy().data;
      assertThat(actual).isEqualTo(java.util.Arrays.copyOf(expected, held.length));
      held.release();
      assertThat(c.arena().usedBytes()).as("the last release frees it").isZero();
      assertThat(held.retain()).as("a freed block cannot be taken again").isFalse();
    }
    c.close();
    assertThat(c.arena().reservedBytes()).isZero();
  }

  @Test
  void aLookupWhoseBlockWasFreedUnderItReadsTheBlockAgain() {
    Model m = randomModel(903, 400, 100, 10);
    byte[] file = table(m, Compression.ZSTD, 1024);
    try (BlockArena arena = new BlockArena(8 << 20)) {
      // A cache that hands out each block after its last reference was dropped, as if an eviction
      // and the last reader's release came between the cache returning it and the lookup.
      BlockCache stale =
          new BlockCache() {
            @Override
            public Block get(BlockCacheKey key) {
              return null;
            }

            @Override
            public void put(BlockCacheKey key, Block block) {}

            @Override
            public Block getOrLoad(BlockCacheKey key, Function<BlockCacheKey, Block> loader) {
              Block b = loader.apply(key);
              b.release();
              return b;
            }

            @Override
            public BlockArena arena() {
              return arena;
            }
          };
      try (TableReader r = open(file, stale)) {
        for (byte[] key : m.byKey().keySet()) {
          assertThat(r.get(key)).isEqualTo(m.newest(key, SstFormat.MAX_SEQUENCE));
        }
        assertThat(SstTesting.readAll(r.iterator())).isEqualTo(m.entries());
      }
      assertThat(arena.usedBytes()).isZero();
    }
  }

  /**
   * Four threads look up random keys through a cache that holds a handful of blocks, so blocks are
   * evicted (and their slots reused) while other threads read them: every lookup still returns the
   * model's entry, and once the cache is closed no slot is left in use.
   */
  @Test
  void concurrentLookupsUnderConstantEvictionReadTheRightBytes() throws Exception {
    Model m = randomModel(905, 3_000, 100, 10);
    byte[] file = table(m, Compression.ZSTD, 4096);
    List<byte[]> keys = new ArrayList<>(m.byKey().keySet());
    CachedBlocks c = CachedBlocks.create(24 << 10, true, true);
    try (TableReader r = open(file, adapter(c))) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          long seed = 905 + t;
          done.add(
              pool.submit(
                  () -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 3_000; i++) {
                      byte[] key = keys.get(rnd.nextInt(keys.size()));
                      assertThat(r.get(key))
                          .as("seed %d", seed)
                          .isEqualTo(m.newest(key, SstFormat.MAX_SEQUENCE));
                    }
                  }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(c.cache().stats().evictionCount()).as("blocks were evicted").isPositive();
    }
    c.close();
    assertThat(c.arena().usedBytes()).isZero();
    assertThat(c.arena().reservedBytes()).isZero();
  }

  /**
   * Damage behind valid checksums: a lookup through the arena (first the miss that decodes into it,
   * then the hit that reads it in place) gives exactly what the heap path gives, the same entry or
   * a {@link CorruptionException}, and a block refused as corrupt leaves no slot behind.
   */
  @Test
  void damagedBlocksReadInPlaceFailExactlyAsOnTheHeap() {
    long seed = 904;
    for (Compression compression : Compression.values()) {
      Model m = randomModel(seed, 80, 60, 20);
      byte[] file =
          build(
              m.entries(),
              TableOptions.defaults()
                  .withCompression(compression)
                  .withBlockSize(256)
                  .withRestartInterval(4));
      Random rnd = new Random(seed + compression.ordinal());
      int corruptions = 0;
      for (BlockHandle h : Layout.of(file).dataBlocks()) {
        for (int round = 0; round < 5; round++) {
          byte[] bad = file.clone();
          StringBuilder what = new StringBuilder();
          for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
            int at = (int) h.offset() + rnd.nextInt((int) h.size());
            bad[at] = (byte) rnd.nextInt(256);
            what.append(at).append(' ');
          }
          reseal(bad, h);
          String msg = compression + ", seed " + seed + ", bytes " + what;
          CachedBlocks c = CachedBlocks.create(1 << 20, true, true);
          try (TableReader heap = open(bad, BlockCache.none());
              TableReader direct = open(bad, adapter(c))) {
            for (byte[] key : m.byKey().keySet()) {
              Object expected = outcome(heap, key);
              assertThat(outcome(direct, key)).as(msg).isEqualTo(expected);
              assertThat(outcome(direct, key)).as(msg + " (cached)").isEqualTo(expected);
              corruptions += expected instanceof Class<?> ? 1 : 0;
            }
          } catch (CorruptionException e) {
            // the table's metadata does not depend on the cache
          } catch (RuntimeException e) {
            fail(msg + ": threw " + e, e);
          }
          c.close();
          assertThat(c.arena().reservedBytes()).as(msg + ": every slot freed").isZero();
        }
      }
      assertThat(corruptions).as(compression + ": structural checks fired").isPositive();
    }
  }

  /** The entry a lookup returns, or the class of what it threw. */
  private static Object outcome(TableReader r, byte[] key) {
    try {
      Entry e = r.get(key);
      return e == null ? "none" : e;
    } catch (CorruptionException e) {
      return CorruptionException.class;
    }
  }
}
