package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Writer settings. Immutable; start from {@link #defaults()}.
 *
 * @param memtableSize bytes buffered before a memtable is frozen and flushed (default 64 MiB)
 * @param flushInterval a non-empty memtable older than this is flushed (default 1 s; zero turns
 *     interval flushes off)
 * @param maxImmutableMemtables frozen memtables waiting for upload before {@code put} blocks
 *     (default 2); memory stays below about {@code (1 + this) * memtableSize}
 * @param blobThreshold values of at least this many bytes are stored as separate blobs (default 256
 *     KiB)
 * @param blockSize SST data block size (default 16 KiB)
 * @param bloomBitsPerKey bloom filter bits per key (default 10)
 * @param compression codec for flushed tables: "none", "lz4" (default) or "zstd"
 * @param flushRetries attempts of one flush after transient storage failures before the writer
 *     fails (default 5)
 */
public record WriterOptions(
    long memtableSize,
    Duration flushInterval,
    int maxImmutableMemtables,
    int blobThreshold,
    int blockSize,
    int bloomBitsPerKey,
    String compression,
    int flushRetries) {

  /** Largest key accepted by {@code put} and {@code delete}. */
  public static final int MAX_KEY_SIZE = 64 * 1024;

  /** Largest value accepted by {@code put}. */
  public static final int MAX_VALUE_SIZE = 256 * 1024 * 1024;

  public WriterOptions {
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(compression, "compression");
    if (memtableSize < 64 * 1024) {
      throw IsleException.invalidArgument(
          "memtableSize must be at least 64 KiB, got " + memtableSize);
    }
    if (flushInterval.isNegative()) {
      throw IsleException.invalidArgument(
          "flushInterval must not be negative, got " + flushInterval);
    }
    if (maxImmutableMemtables < 1) {
      throw IsleException.invalidArgument(
          "maxImmutableMemtables must be at least 1, got " + maxImmutableMemtables);
    }
    if (blobThreshold < 1) {
      throw IsleException.invalidArgument("blobThreshold must be positive, got " + blobThreshold);
    }
    if (blockSize < 256 || blockSize > 4 * 1024 * 1024) {
      throw IsleException.invalidArgument("blockSize must be in [256, 4 MiB], got " + blockSize);
    }
    if (bloomBitsPerKey < 0 || bloomBitsPerKey > 64) {
      throw IsleException.invalidArgument(
          "bloomBitsPerKey must be in [0, 64], got " + bloomBitsPerKey);
    }
    if (!compression.equals("none") && !compression.equals("lz4") && !compression.equals("zstd")) {
      throw IsleException.invalidArgument(
          "compression must be one of none, lz4, zstd; got '" + compression + "'");
    }
    if (flushRetries < 0) {
      throw IsleException.invalidArgument("flushRetries must not be negative, got " + flushRetries);
    }
  }

  /** The defaults listed on the record. */
  public static WriterOptions defaults() {
    return new WriterOptions(
        64L * 1024 * 1024, Duration.ofSeconds(1), 2, 256 * 1024, 16 * 1024, 10, "lz4", 5);
  }

  public WriterOptions withMemtableSize(long v) {
    return new WriterOptions(
        v,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        blockSize,
        bloomBitsPerKey,
        compression,
        flushRetries);
  }

  public WriterOptions withFlushInterval(Duration v) {
    return new WriterOptions(
        memtableSize,
        v,
        maxImmutableMemtables,
        blobThreshold,
        blockSize,
        bloomBitsPerKey,
        compression,
        flushRetries);
  }

  public WriterOptions withMaxImmutableMemtables(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        v,
        blobThreshold,
        blockSize,
        bloomBitsPerKey,
        compression,
        flushRetries);
  }

  public WriterOptions withBlobThreshold(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        v,
        blockSize,
        bloomBitsPerKey,
        compression,
        flushRetries);
  }

  public WriterOptions withBlockSize(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        v,
        bloomBitsPerKey,
        compression,
        flushRetries);
  }

  public WriterOptions withBloomBitsPerKey(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        blockSize,
        v,
        compression,
        flushRetries);
  }

  public WriterOptions withCompression(String v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        blockSize,
        bloomBitsPerKey,
        v,
        flushRetries);
  }

  public WriterOptions withFlushRetries(int v) {
    return new WriterOptions(
        memtableSize,
        flushInterval,
        maxImmutableMemtables,
        blobThreshold,
        blockSize,
        bloomBitsPerKey,
        compression,
        v);
  }
}
