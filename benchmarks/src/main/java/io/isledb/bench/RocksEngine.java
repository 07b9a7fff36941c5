package io.isledb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni) on local disk, configured like IsleDB's defaults: no WAL, 64 MiB memtables
 * with up to two immutable ones waiting, 16 KiB blocks, a 10 bits/key whole-key bloom filter, LZ4
 * for flushed data and zstd for the bottommost level, and the same block cache size as IsleDB's
 * readers. Automatic compactions run in the background, like IsleDB's compactor in the benchmark.
 */
public final class RocksEngine implements Engine {
  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final long blockCacheBytes;
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private LRUCache cache;
  private Options options;
  private RocksDB db;

  /** Opens a fresh database in a new directory under {@code parent}. */
  public RocksEngine(Path parent, long blockCacheBytes) {
    this.blockCacheBytes = blockCacheBytes;
    try {
      Files.createDirectories(parent);
      this.dir = Files.createTempDirectory(parent, "rocksdb-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    open();
  }

  /** The RocksDB version string. */
  public static String version() {
    RocksDB.Version v = RocksDB.rocksdbVersion();
    return v.toString();
  }

  private void open() {
    cache = new LRUCache(blockCacheBytes);
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setBlockSize(16 * 1024)
            .setFilterPolicy(new BloomFilter(10, false))
            .setWholeKeyFiltering(true);
    options =
        new Options()
            .setCreateIfMissing(true)
            .setWriteBufferSize(64L << 20)
            .setMaxWriteBufferNumber(3)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
            .setMaxBackgroundJobs(2)
            .setTableFormatConfig(table);
    try {
      db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open RocksDB in " + dir, e);
    }
  }

  @Override
  public String name() {
    return "rocksdb";
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void flush() {
    try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
      db.flush(f);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void compactAll() {
    try {
      db.compactRange();
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Reads openReads(boolean cold) {
    if (cold) {
      flush();
      closeDb();
      open();
    }
    return new Reads() {
      private final ReadOptions ro = new ReadOptions();

      @Override
      public byte[] get(byte[] key) {
        try {
          return db.get(ro, key);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public int scan(byte[] from, int n) {
        int count = 0;
        try (RocksIterator it = db.newIterator(ro)) {
          for (it.seek(from); it.isValid() && count < n; it.next()) {
            if (it.value().length == 0) {
              throw new IllegalStateException("empty value");
            }
            count++;
          }
        }
        return count;
      }

      @Override
      public void refresh() {
        // A RocksDB handle always reads the newest data.
      }

      @Override
      public void close() {
        ro.close();
      }
    };
  }

  @Override
  public long storageBytesWritten() {
    return -1;
  }

  private void closeDb() {
    db.close();
    options.close();
    cache.close();
  }

  @Override
  public void close() {
    closeDb();
    writeOptions.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
