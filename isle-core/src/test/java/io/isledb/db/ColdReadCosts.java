package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.sst.ScanOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The storage cost of a reader whose cache is smaller than its data (a state backend's working set
 * beyond its cache): a cold point lookup reads each cold block with one ranged GET and nothing else
 * once the table's metadata is loaded, and a long scan reads ahead (fewer GETs than blocks, each
 * bounded). Shared by the file:// test and the S3 ITCase; {@code httpGets} names the backend's
 * counter of HTTP GETs, or null where there is none.
 */
final class ColdReadCosts {
  static final int KEYS = 30_000;
  static final int TABLES = 3;
  static final int BLOCK_SIZE = 4096;
  static final long SEED = 20261130L;

  private ColdReadCosts() {}

  static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** Three flushed L0 tables, each holding every third key (so each spans the whole key range). */
  static void fill(ObjectStore store) {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withFlushInterval(Duration.ZERO)
                    .withBlockSize(BLOCK_SIZE))) {
      byte[] v = new byte[200];
      for (int t = 0; t < TABLES; t++) {
        for (int i = t; i < KEYS; i += TABLES) {
          ByteBuffer.wrap(v).putInt(i);
          w.put(key(i), v.clone());
        }
        w.flush();
      }
    }
  }

  /** A reader with no disk cache and small tables read by block, like a cache-starved backend. */
  static Reader coldReader(ObjectStore store) {
    return IsleDB.openReader(
        store, ReaderOptions.defaults().withDiskCacheBytes(0).withSmallTableBytes(0));
  }

  /** Every cold lookup: GETs = tables opened + blocks missed; at most one once tables are open. */
  static void assertColdLookups(ObjectStore store, String httpGets) {
    try (Reader r = coldReader(store)) {
      SplittableRandom rnd = new SplittableRandom(SEED);
      int opened = 0;
      long blockGets = 0;
      int overOne = 0;
      for (int n = 0; n < 300; n++) {
        int i = rnd.nextInt(KEYS);
        ReaderStats s0 = r.stats();
        RequestStats before = store.stats();
        assertThat(r.get(key(i))).as("seed %d, key %d", SEED, i).isPresent();
        RequestStats cost = store.stats().minus(before);
        ReaderStats s1 = r.stats();
        long opens = s1.tableOpens() - s0.tableOpens();
        long misses = s1.blockCacheMisses() - s0.blockCacheMisses();
        String msg = "seed " + SEED + ", lookup " + n + " of key " + i + ": " + cost;
        assertThat(cost.gets()).as(msg).isEqualTo(opens + misses);
        assertThat(cost.total()).as(msg).isEqualTo(cost.gets());
        if (httpGets != null) {
          assertThat(cost.backend(httpGets)).as(msg + " on the wire").isEqualTo(cost.gets());
          assertThat(cost.backend().getOrDefault("object_metadata_request", 0L)).isZero();
        }
        if (opens == 0) {
          // Once metadata is loaded, a GET reads one block, nothing more.
          assertThat(cost.bytesRead()).as(msg).isLessThanOrEqualTo(misses * (BLOCK_SIZE + 1024L));
          blockGets += cost.gets();
          // More than one only when another table's bloom filter let the key through.
          overOne += cost.gets() > 1 ? 1 : 0;
        }
        opened += (int) opens;
      }
      assertThat(opened).as("each table opened once").isEqualTo(TABLES);
      assertThat(blockGets).as("cold lookups read their blocks").isGreaterThan(100);
      assertThat(overOne).as("lookups that read 2 blocks (bloom false positives)").isLessThan(10);
    }
  }

  /**
   * A short scan (seek and 10 nexts) reads only the blocks it visits; a whole scan reads ahead:
   * fewer GETs than blocks, none larger than the readahead limit plus one block.
   */
  static void assertScanReadahead(ObjectStore store, String httpGets) {
    // Every table opened when the reader opens (scans only open the tables whose range they
    // meet): the costs below are the scans' own block reads.
    try (Reader r =
        IsleDB.openReader(
            store,
            ReaderOptions.defaults()
                .withDiskCacheBytes(0)
                .withSmallTableBytes(0)
                .withPreopenBytes(Long.MAX_VALUE))) {
      ReaderStats s0 = r.stats();
      RequestStats before = store.stats();
      int seen = 0;
      try (KvIterator it = r.scan(key(KEYS / 2), null)) {
        for (; seen < 10 && it.hasNext(); seen++) {
          it.next();
        }
      }
      RequestStats shortCost = store.stats().minus(before);
      long shortBlocks = r.stats().blockCacheMisses() - s0.blockCacheMisses();
      assertThat(seen).isEqualTo(10);
      assertThat(shortCost.gets()).as("short scan: %s", shortCost).isEqualTo(shortBlocks);
      assertThat(shortCost.bytesRead())
          .as("short scan reads no more than its blocks")
          .isLessThanOrEqualTo(shortBlocks * (BLOCK_SIZE + 1024L));

      ReaderStats s1 = r.stats();
      before = store.stats();
      int count = 0;
      try (KvIterator it = r.scan(null, null)) {
        while (it.hasNext()) {
          it.next();
          count++;
        }
      }
      RequestStats cost = store.stats().minus(before);
      long blocks = r.stats().blockCacheMisses() - s1.blockCacheMisses();
      String msg = "whole scan: " + blocks + " blocks read, " + cost;
      assertThat(count).isEqualTo(KEYS);
      assertThat(blocks).as(msg).isGreaterThan(100);
      assertThat(cost.gets()).as(msg).isLessThan(blocks / 4);
      assertThat(cost.bytesRead())
          .as(msg + ": no request beyond the readahead limit")
          .isLessThanOrEqualTo(
              cost.gets() * (ScanOptions.USER_SCAN_READAHEAD_MAX + BLOCK_SIZE + 1024L));
      if (httpGets != null) {
        assertThat(cost.backend(httpGets)).as(msg + " on the wire").isEqualTo(cost.gets());
      }
    }
  }
}
