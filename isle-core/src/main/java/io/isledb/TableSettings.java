package io.isledb;

import java.util.Objects;

/**
 * How a role lays out the tables it writes: the same three settings for the {@link Writer}'s
 * flushes, the {@link Compactor}'s output and an {@link SstWriter}'s tables, checked in one place.
 * Immutable; start from {@link #writerDefaults()} or {@link #compactorDefaults()}.
 *
 * @param compression block codec (writer and SST writer default LZ4: cheap to write; compactor
 *     default ZSTD: compacted tables are read for longer)
 * @param blockSize target uncompressed size of a data block, {@value #MIN_BLOCK_SIZE} bytes to 4
 *     MiB (default 16 KiB)
 * @param bloomBitsPerKey bloom filter bits per key, 0 (no filter) to {@value
 *     #MAX_BLOOM_BITS_PER_KEY} (default 10, about 0.8 % false positives)
 */
public record TableSettings(Compression compression, int blockSize, int bloomBitsPerKey) {

  /** Smallest {@code blockSize}: 256 bytes. */
  public static final int MIN_BLOCK_SIZE = 256;

  /** Largest {@code blockSize}: 4 MiB. */
  public static final int MAX_BLOCK_SIZE = 4 << 20;

  /** Largest {@code bloomBitsPerKey}: 64. */
  public static final int MAX_BLOOM_BITS_PER_KEY = 64;

  public TableSettings {
    Objects.requireNonNull(compression, "compression");
    if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
      throw outOfRange("blockSize", blockSize, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE);
    }
    if (bloomBitsPerKey < 0 || bloomBitsPerKey > MAX_BLOOM_BITS_PER_KEY) {
      throw outOfRange("bloomBitsPerKey", bloomBitsPerKey, 0, MAX_BLOOM_BITS_PER_KEY);
    }
  }

  private static IsleException outOfRange(String option, int value, int min, int max) {
    return IsleException.invalidArgument(
        "TableSettings." + option + " must be in [" + min + ", " + max + "], got " + value);
  }

  /** LZ4, 16 KiB blocks, 10 bloom bits per key: the defaults of flushed and external tables. */
  public static TableSettings writerDefaults() {
    return new TableSettings(Compression.LZ4, 16 << 10, 10);
  }

  /** ZSTD, 16 KiB blocks, 10 bloom bits per key: the defaults of compaction output. */
  public static TableSettings compactorDefaults() {
    return new TableSettings(Compression.ZSTD, 16 << 10, 10);
  }

  public TableSettings withCompression(Compression v) {
    return new TableSettings(v, blockSize, bloomBitsPerKey);
  }

  public TableSettings withBlockSize(int v) {
    return new TableSettings(compression, v, bloomBitsPerKey);
  }

  public TableSettings withBloomBitsPerKey(int v) {
    return new TableSettings(compression, blockSize, v);
  }
}
