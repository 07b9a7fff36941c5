package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Merge compaction settings. Immutable; start from {@link #defaults()}.
 *
 * @param l0Trigger compact L0 into a new sorted run once it holds this many tables (default 8)
 * @param sizeRatio merge a run into the newer runs before it when it is at most this many times
 *     their total size (default 4): runs of similar size merge, so the number of runs stays
 *     logarithmic in the data size
 * @param maxRuns merge the two smallest neighbouring runs whenever there are more runs than this
 *     (default 12), bounding read amplification whatever the sizes
 * @param targetTableSize compaction output is split into tables of about this size (default 64 MiB)
 * @param compression codec of compaction output: "zstd" (default), "lz4" or "none"
 * @param blockSize data block size of compaction output (default 16 KiB)
 * @param bloomBitsPerKey bloom bits per key of compaction output (default 10)
 * @param readaheadBytes inputs are read in ranged requests of about this size (default 4 MiB)
 * @param interval how often {@code start()} looks for work when idle (default 1 s)
 * @param garbageRatio merge everything into one bottommost run when deletions and expired entries
 *     are at least this fraction of all entries (default 0.2), so delete- and TTL-heavy data does
 *     not keep its space when the size-ratio rule would never reach the oldest run
 */
public record CompactorOptions(
    int l0Trigger,
    int sizeRatio,
    int maxRuns,
    long targetTableSize,
    String compression,
    int blockSize,
    int bloomBitsPerKey,
    int readaheadBytes,
    Duration interval,
    double garbageRatio) {

  public CompactorOptions {
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(interval, "interval");
    if (l0Trigger < 1) {
      throw IsleException.invalidArgument("l0Trigger must be at least 1, got " + l0Trigger);
    }
    if (sizeRatio < 1) {
      throw IsleException.invalidArgument("sizeRatio must be at least 1, got " + sizeRatio);
    }
    if (maxRuns < 1) {
      throw IsleException.invalidArgument("maxRuns must be at least 1, got " + maxRuns);
    }
    if (targetTableSize < 4096) {
      throw IsleException.invalidArgument(
          "targetTableSize must be at least 4096, got " + targetTableSize);
    }
    if (!compression.equals("none") && !compression.equals("lz4") && !compression.equals("zstd")) {
      throw IsleException.invalidArgument(
          "compression must be one of none, lz4, zstd; got '" + compression + "'");
    }
    if (readaheadBytes < 0 || readaheadBytes > 64 << 20) {
      throw IsleException.invalidArgument(
          "readaheadBytes must be in [0, 64 MiB], got " + readaheadBytes);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw IsleException.invalidArgument("interval must be positive, got " + interval);
    }
    if (!(garbageRatio > 0 && garbageRatio <= 1)) {
      throw IsleException.invalidArgument("garbageRatio must be in (0, 1], got " + garbageRatio);
    }
  }

  /** The defaults listed on the record. */
  public static CompactorOptions defaults() {
    return new CompactorOptions(
        8, 4, 12, 64L << 20, "zstd", 16 << 10, 10, 4 << 20, Duration.ofSeconds(1), 0.2);
  }

  public CompactorOptions withL0Trigger(int v) {
    return new CompactorOptions(
        v,
        sizeRatio,
        maxRuns,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withSizeRatio(int v) {
    return new CompactorOptions(
        l0Trigger,
        v,
        maxRuns,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withMaxRuns(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        v,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withTargetTableSize(long v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        v,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withCompression(String v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        v,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withBlockSize(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        compression,
        v,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        garbageRatio);
  }

  public CompactorOptions withReadaheadBytes(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        v,
        interval,
        garbageRatio);
  }

  public CompactorOptions withGarbageRatio(double v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        interval,
        v);
  }

  public CompactorOptions withInterval(Duration v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        compression,
        blockSize,
        bloomBitsPerKey,
        readaheadBytes,
        v,
        garbageRatio);
  }
}
