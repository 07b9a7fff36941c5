package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CacheStats;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short scan (one Flink state's prefix) on a writer's view positions a cursor only in the tables
 * whose key range meets the scanned range: a table holding only later keys is not sought (before,
 * every L0 table was, each costing an index search and a block read per scan).
 */
class ShortScanSeeksTest {
  private static final int TABLES = 8;
  private static final int KEYS = 200;

  @TempDir Path dir;

  private static byte[] key(int table, int i) {
    return String.format("%c%05d", (char) ('a' + table), i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aScanSeeksOnlyTheTablesItsRangeMeets() {
    try (IsleResources res =
            IsleResources.create(
                IsleResourcesOptions.defaults()
                    .withFlushThreads(1)
                    .withCompactionThreads(1)
                    .withMaintenanceThreads(1)
                    .withDownloadThreads(1)
                    .withBlockCacheBytes(8 << 20)
                    .withDiskCacheDir(dir.resolve("cache"))
                    .withDiskCacheBytes(64 << 20));
        IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), res);
        Writer w =
            db.openWriter(
                WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(1024))) {
      // Eight L0 tables of disjoint key ranges a..., b..., ..., h... (no compactor runs).
      for (int t = 0; t < TABLES; t++) {
        for (int i = 0; i < KEYS; i++) {
          w.put(key(t, i), new byte[20]);
        }
        w.flush();
      }
      ReadView v = w.view();
      CacheStats before = w.cacheStats();
      int scans = 50;
      for (int s = 0; s < scans; s++) {
        // Ten keys of the first table, inside one or two of its 1 KiB blocks.
        List<KV> got = new ArrayList<>();
        try (KvIterator it = v.scan(key(0, 100), key(0, 110))) {
          it.forEachRemaining(got::add);
        }
        assertThat(got).hasSize(10);
      }
      CacheStats after = w.cacheStats();
      long lookups =
          after.blockCacheHits()
              + after.blockCacheMisses()
              - before.blockCacheHits()
              - before.blockCacheMisses();
      // Before: the seven later tables were sought too, each reading its first block (>= 8 per
      // scan).
      assertThat(lookups).as("block reads of %d scans", scans).isLessThanOrEqualTo(2L * scans);
      // A range no table holds reads no block at all.
      try (KvIterator it = v.scan("b99999".getBytes(StandardCharsets.UTF_8), key(2, 0))) {
        assertThat(it.hasNext()).isFalse();
      }
      assertThat(w.cacheStats().blockCacheHits() + w.cacheStats().blockCacheMisses())
          .isEqualTo(after.blockCacheHits() + after.blockCacheMisses());
    }
  }
}
