package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.TableSettings;
import io.isledb.util.Internal;

/**
 * How a {@link TableBuilder} writes a table. Immutable; start from {@link #defaults()} and change
 * fields with the {@code withX} methods.
 *
 * @param blockSize target uncompressed size of a data block in bytes; a block is closed once it
 *     reaches this size (a single larger entry makes one larger block). 1 to 16 MiB
 * @param restartInterval entries between restart points inside data blocks (1 to 65536)
 * @param bloomBitsPerKey bloom filter bits per distinct user key (0 = no filter, at most 64)
 * @param compression codec tried on every data and index block
 * @param zstdLevel Zstandard level when {@code compression} is ZSTD (-7 to 22; 0 = zstd's default)
 * @param creationTimeMillis epoch millis recorded as the table's creation time (0 = unknown)
 * @param minDataTimeMillis smallest data time of the entries, as the engine defines it (0 =
 *     unknown); recorded for time-window compaction
 * @param maxDataTimeMillis largest data time of the entries (0 = unknown); a {@link TableBuilder}
 *     rejects options whose min is above their max
 * @param targetFileSize size at which {@link TableBuilder#reachedTargetSize()} turns true, for
 *     writers that split their output into several tables; the builder itself never splits
 */
@Internal
public record TableOptions(
    int blockSize,
    int restartInterval,
    int bloomBitsPerKey,
    Compression compression,
    int zstdLevel,
    long creationTimeMillis,
    long minDataTimeMillis,
    long maxDataTimeMillis,
    long targetFileSize) {

  /** Default data block size: 16 KiB. */
  public static final int DEFAULT_BLOCK_SIZE = 16 << 10;

  /** Default restart interval: 16. */
  public static final int DEFAULT_RESTART_INTERVAL = 16;

  /** Default bloom filter bits per key: 10 (about 0.8% false positives). */
  public static final int DEFAULT_BLOOM_BITS_PER_KEY = 10;

  /** Default zstd level: 3. */
  public static final int DEFAULT_ZSTD_LEVEL = 3;

  /** Default target file size: 64 MiB. */
  public static final long DEFAULT_TARGET_FILE_SIZE = 64L << 20;

  public TableOptions {
    check(
        blockSize >= 1 && blockSize <= SstFormat.MAX_BLOCK_SIZE_OPTION,
        "blockSize must be in [1, " + SstFormat.MAX_BLOCK_SIZE_OPTION + "]: " + blockSize);
    check(
        restartInterval >= 1 && restartInterval <= 65536,
        "restartInterval must be in [1, 65536]: " + restartInterval);
    check(
        bloomBitsPerKey >= 0 && bloomBitsPerKey <= 64,
        "bloomBitsPerKey must be in [0, 64]: " + bloomBitsPerKey);
    check(compression != null, "compression must not be null");
    check(zstdLevel >= -7 && zstdLevel <= 22, "zstdLevel must be in [-7, 22]: " + zstdLevel);
    check(targetFileSize >= 1, "targetFileSize must be positive: " + targetFileSize);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw IsleException.invalidArgument("TableOptions: " + message);
    }
  }

  /**
   * 16 KiB blocks, restart interval 16, 10 bloom bits per key, LZ4, zstd level 3, times unknown, 64
   * MiB target file size.
   */
  public static TableOptions defaults() {
    return new TableOptions(
        DEFAULT_BLOCK_SIZE,
        DEFAULT_RESTART_INTERVAL,
        DEFAULT_BLOOM_BITS_PER_KEY,
        Compression.LZ4,
        DEFAULT_ZSTD_LEVEL,
        0,
        0,
        0,
        DEFAULT_TARGET_FILE_SIZE);
  }

  /**
   * These options with the block size, bloom bits and codec of a role's public {@link
   * TableSettings}: the one place a public {@link io.isledb.Compression} becomes a persisted codec.
   */
  public TableOptions withSettings(TableSettings s) {
    Compression c =
        switch (s.compression()) {
          case NONE -> Compression.NONE;
          case LZ4 -> Compression.LZ4;
          case ZSTD -> Compression.ZSTD;
        };
    return withBlockSize(s.blockSize()).withBloomBitsPerKey(s.bloomBitsPerKey()).withCompression(c);
  }

  public TableOptions withBlockSize(int v) {
    return new TableOptions(
        v,
        restartInterval,
        bloomBitsPerKey,
        compression,
        zstdLevel,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  public TableOptions withRestartInterval(int v) {
    return new TableOptions(
        blockSize,
        v,
        bloomBitsPerKey,
        compression,
        zstdLevel,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  public TableOptions withBloomBitsPerKey(int v) {
    return new TableOptions(
        blockSize,
        restartInterval,
        v,
        compression,
        zstdLevel,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  public TableOptions withCompression(Compression v) {
    return new TableOptions(
        blockSize,
        restartInterval,
        bloomBitsPerKey,
        v,
        zstdLevel,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  public TableOptions withZstdLevel(int v) {
    return new TableOptions(
        blockSize,
        restartInterval,
        bloomBitsPerKey,
        compression,
        v,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  public TableOptions withCreationTimeMillis(long v) {
    return new TableOptions(
        blockSize,
        restartInterval,
        bloomBitsPerKey,
        compression,
        zstdLevel,
        v,
        minDataTimeMillis,
        maxDataTimeMillis,
        targetFileSize);
  }

  /** Sets both data time bounds. */
  public TableOptions withDataTimeRange(long minMillis, long maxMillis) {
    return new TableOptions(
        blockSize,
        restartInterval,
        bloomBitsPerKey,
        compression,
        zstdLevel,
        creationTimeMillis,
        minMillis,
        maxMillis,
        targetFileSize);
  }

  public TableOptions withMinDataTimeMillis(long v) {
    return withDataTimeRange(v, maxDataTimeMillis);
  }

  public TableOptions withMaxDataTimeMillis(long v) {
    return withDataTimeRange(minDataTimeMillis, v);
  }

  public TableOptions withTargetFileSize(long v) {
    return new TableOptions(
        blockSize,
        restartInterval,
        bloomBitsPerKey,
        compression,
        zstdLevel,
        creationTimeMillis,
        minDataTimeMillis,
        maxDataTimeMillis,
        v);
  }
}
