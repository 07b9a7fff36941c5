package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CacheStats;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache hit and miss counters: a writer counts its own view's block and disk cache lookups (not
 * another database's on the same shared caches), and the shared resources count everyone's.
 */
class CacheStatsTest {
  private static final int KEYS = 2_000;
  private static final WriterOptions WO =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(1024);

  @TempDir Path dir;

  private IsleResources resources(String cacheDir) {
    return IsleResources.create(
        IsleResourcesOptions.defaults()
            .withFlushThreads(1)
            .withCompactionThreads(1)
            .withMaintenanceThreads(1)
            .withDownloadThreads(1)
            .withBlockCacheBytes(8 << 20)
            .withDiskCacheDir(dir.resolve(cacheDir))
            .withDiskCacheBytes(64 << 20));
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static void fill(Writer w) {
    for (int i = 0; i < KEYS; i++) {
      w.put(key(i), new byte[100]);
    }
    w.flush();
  }

  private static void readAll(Writer w) {
    ReadView v = w.view();
    for (int i = 0; i < KEYS; i++) {
      assertThat(v.get(key(i))).isPresent();
    }
  }

  @Test
  void writerCountsItsOwnLookupsAndResourcesCountEveryones() {
    InMemoryObjectStore store1 = new InMemoryObjectStore();
    InMemoryObjectStore store2 = new InMemoryObjectStore();
    try (IsleResources res = resources("cache-a");
        IsleDB db1 = IsleDB.open(store1, DBOptions.defaults(), res);
        IsleDB db2 = IsleDB.open(store2, DBOptions.defaults(), res);
        Writer w1 = db1.openWriter(WO);
        Writer w2 = db2.openWriter(WO)) {
      fill(w1);
      fill(w2);
      assertThat(w1.cacheStats().blockCacheHits() + w1.cacheStats().blockCacheMisses()).isZero();
      readAll(w1);
      CacheStats first = w1.cacheStats();
      // One table of 1 KiB blocks: each get reads one block, loaded on its first read only.
      assertThat(first.blockCacheHits() + first.blockCacheMisses()).isEqualTo(KEYS);
      assertThat(first.blockCacheMisses()).isBetween(KEYS / 100L, KEYS / 5L);
      assertThat(first.diskCacheHits()).as("flushed tables are written through").isPositive();
      assertThat(first.diskCacheMisses()).isZero();
      readAll(w1);
      CacheStats second = w1.cacheStats();
      assertThat(second.blockCacheMisses())
          .as("all cached now")
          .isEqualTo(first.blockCacheMisses());
      assertThat(second.blockCacheHits()).isEqualTo(first.blockCacheHits() + KEYS);
      assertThat(second.blockCacheHitRatio())
          .isEqualTo((double) second.blockCacheHits() / (2 * KEYS));
      assertThat(w2.cacheStats().blockCacheHits() + w2.cacheStats().blockCacheMisses())
          .as("the other database's writer counts only its own reads")
          .isZero();
      readAll(w2);
      CacheStats shared = res.cacheStats();
      assertThat(shared.blockCacheHits())
          .isEqualTo(second.blockCacheHits() + w2.cacheStats().blockCacheHits());
      assertThat(shared.blockCacheMisses())
          .isEqualTo(second.blockCacheMisses() + w2.cacheStats().blockCacheMisses());
      assertThat(shared.diskCacheHits())
          .isEqualTo(second.diskCacheHits() + w2.cacheStats().diskCacheHits());
    }
  }

  @Test
  void tablesMissingFromTheDiskCacheCountAsMisses() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleResources res = resources("cache-a");
        IsleDB db = IsleDB.open(store, DBOptions.defaults(), res);
        Writer w = db.openWriter(WO)) {
      fill(w);
    }
    // Another process (a new, empty disk cache) reads the same database.
    try (IsleResources res = resources("cache-b");
        IsleDB db = IsleDB.open(store, DBOptions.defaults(), res);
        Writer w = db.openWriter(WO)) {
      readAll(w);
      CacheStats s = w.cacheStats();
      assertThat(s.diskCacheMisses()).isPositive();
      assertThat(s.diskCacheHitRatio()).isLessThan(1.0);
      assertThat(res.cacheStats().diskCacheMisses()).isEqualTo(s.diskCacheMisses());
      assertThat(CacheStats.EMPTY.blockCacheHitRatio()).isZero();
    }
  }
}
