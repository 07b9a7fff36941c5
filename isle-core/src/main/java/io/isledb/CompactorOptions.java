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
 * @param table layout of compaction output (default {@link TableSettings#compactorDefaults()}:
 *     ZSTD, 16 KiB blocks, 10 bloom bits per key)
 * @param readaheadBytes inputs are read in ranged requests of about this size (default 4 MiB)
 * @param interval how often {@code start()} looks for work when idle (default 1 s)
 * @param garbageRatio merge everything into one bottommost run when deletions and expired entries
 *     are at least this fraction of all entries (default 0.2), so delete- and TTL-heavy data does
 *     not keep its space when the size-ratio rule would never reach the oldest run
 * @param filter decides which live entries compaction keeps (default {@link
 *     CompactionFilter#keepAll()}); see {@link CompactionFilter} for what it sees and how a drop is
 *     made safe
 * @param rewriteBorrowed how eagerly a fork rewrites the tables it borrows from its sources
 *     (docs/PROTOCOL.md section 9): {@code true} (default) makes a pass that finds a borrowed table
 *     merge the whole tree into one bottommost run in the fork's own prefix, so the fork stops
 *     referencing its sources after one compaction; {@code false} leaves them to the size-ratio
 *     rules, which rewrite them when they happen to pick them
 * @param l0StopWrites while this compactor runs in the background ({@link Compactor#start()}) and
 *     the database's L0 holds at least this many tables, writes of a writer of the database in the
 *     same JVM wait until a compaction brings L0 below it (default {@value
 *     #DEFAULT_L0_STOP_WRITES}; 0 turns it off; raised to twice {@code l0Trigger} when lower).
 *     Every L0 table costs each read one more seek: the stall keeps a writer faster than its
 *     compactor from leaving reads behind an ever longer L0, as RocksDB's {@code
 *     level0_stop_writes_trigger} does. A compactor in another process does not stall writers, and
 *     a failing or stopped compactor lifts the stall
 */
public record CompactorOptions(
    int l0Trigger,
    int sizeRatio,
    int maxRuns,
    long targetTableSize,
    TableSettings table,
    int readaheadBytes,
    Duration interval,
    double garbageRatio,
    CompactionFilter filter,
    boolean rewriteBorrowed,
    int l0StopWrites) {

  /** The default {@link #l0StopWrites()}, RocksDB's {@code level0_stop_writes_trigger}. */
  public static final int DEFAULT_L0_STOP_WRITES = 36;

  public CompactorOptions {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(filter, "filter");
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
    if (l0StopWrites < 0) {
      throw IsleException.invalidArgument(
          "l0StopWrites must be 0 (off) or positive, got " + l0StopWrites);
    }
  }

  /**
   * The number of L0 tables at which writes of a writer in this JVM wait ({@link #l0StopWrites()}),
   * raised to twice {@link #l0Trigger()}; 0 when off.
   */
  public int effectiveL0StopWrites() {
    return l0StopWrites == 0 ? 0 : Math.max(l0StopWrites, 2 * l0Trigger);
  }

  /** This with {@code l0StopWrites} = {@code v} (0 turns the stall off). */
  public CompactorOptions withL0StopWrites(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        v);
  }

  /** The options without a filter ({@link CompactionFilter#keepAll()}). */
  public CompactorOptions(
      int l0Trigger,
      int sizeRatio,
      int maxRuns,
      long targetTableSize,
      TableSettings table,
      int readaheadBytes,
      Duration interval,
      double garbageRatio) {
    this(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        CompactionFilter.keepAll(),
        true,
        DEFAULT_L0_STOP_WRITES);
  }

  /** The defaults listed on the record. */
  public static CompactorOptions defaults() {
    return new CompactorOptions(
        8,
        4,
        12,
        64L << 20,
        TableSettings.compactorDefaults(),
        4 << 20,
        Duration.ofSeconds(1),
        0.2);
  }

  public CompactorOptions withL0Trigger(int v) {
    return new CompactorOptions(
        v,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withSizeRatio(int v) {
    return new CompactorOptions(
        l0Trigger,
        v,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withMaxRuns(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        v,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withTargetTableSize(long v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        v,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withTable(TableSettings v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        v,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  /** Shorthand for {@code withTable(table().withBlockSize(v))}. */
  public CompactorOptions withBlockSize(int v) {
    return withTable(table.withBlockSize(v));
  }

  public CompactorOptions withReadaheadBytes(int v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        v,
        interval,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withGarbageRatio(double v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        v,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  public CompactorOptions withInterval(Duration v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        v,
        garbageRatio,
        filter,
        rewriteBorrowed,
        l0StopWrites);
  }

  /**
   * This with compaction filter {@code v} (application-level expiry, see {@link CompactionFilter}).
   */
  public CompactorOptions withFilter(CompactionFilter v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        v,
        rewriteBorrowed,
        l0StopWrites);
  }

  /** This with {@code rewriteBorrowed} = {@code v}. */
  public CompactorOptions withRewriteBorrowed(boolean v) {
    return new CompactorOptions(
        l0Trigger,
        sizeRatio,
        maxRuns,
        targetTableSize,
        table,
        readaheadBytes,
        interval,
        garbageRatio,
        filter,
        v,
        l0StopWrites);
  }
}
