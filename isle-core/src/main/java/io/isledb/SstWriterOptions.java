package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an external {@link SstWriter}. Immutable; start from {@link #defaults()}.
 *
 * @param sortedInput keys arrive in strictly ascending order and stream straight into tables
 *     (bounded memory); otherwise they are buffered, sorted and written when the buffer fills
 * @param bufferBytes unsorted input buffered per table (default 64 MiB)
 * @param targetTableSize tables are split at about this size (default 64 MiB)
 * @param blobThreshold values of at least this size are uploaded as blobs (default 256 KiB); 1 to
 *     {@link WriterOptions#MAX_INLINE_VALUE_SIZE}
 * @param table layout of the tables (default {@link TableSettings#writerDefaults()}: LZ4, 16 KiB
 *     blocks, 10 bloom bits per key)
 * @param leaseTtl how long the uploads stay safe from GC before they are committed (default 24
 *     hours): long enough for a Flink job to restart and commit them from its checkpoint
 */
public record SstWriterOptions(
    boolean sortedInput,
    long bufferBytes,
    long targetTableSize,
    int blobThreshold,
    TableSettings table,
    Duration leaseTtl) {

  public SstWriterOptions {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    if (bufferBytes < 1 << 16) {
      throw IsleException.invalidArgument(
          "bufferBytes must be at least 64 KiB, got " + bufferBytes);
    }
    if (targetTableSize < 4096) {
      throw IsleException.invalidArgument(
          "targetTableSize must be at least 4096, got " + targetTableSize);
    }
    WriterOptions.checkBlobThreshold(blobThreshold);
    if (leaseTtl.isNegative()) {
      throw IsleException.invalidArgument("leaseTtl must not be negative, got " + leaseTtl);
    }
  }

  /** Unsorted input, 64 MiB buffer and tables, 256 KiB blobs, LZ4, 24 h lease. */
  public static SstWriterOptions defaults() {
    return new SstWriterOptions(
        false,
        64L << 20,
        64L << 20,
        256 << 10,
        TableSettings.writerDefaults(),
        Duration.ofHours(24));
  }

  public SstWriterOptions withSortedInput(boolean v) {
    return new SstWriterOptions(v, bufferBytes, targetTableSize, blobThreshold, table, leaseTtl);
  }

  public SstWriterOptions withBufferBytes(long v) {
    return new SstWriterOptions(sortedInput, v, targetTableSize, blobThreshold, table, leaseTtl);
  }

  public SstWriterOptions withTargetTableSize(long v) {
    return new SstWriterOptions(sortedInput, bufferBytes, v, blobThreshold, table, leaseTtl);
  }

  public SstWriterOptions withBlobThreshold(int v) {
    return new SstWriterOptions(sortedInput, bufferBytes, targetTableSize, v, table, leaseTtl);
  }

  public SstWriterOptions withTable(TableSettings v) {
    return new SstWriterOptions(
        sortedInput, bufferBytes, targetTableSize, blobThreshold, v, leaseTtl);
  }

  public SstWriterOptions withLeaseTtl(Duration v) {
    return new SstWriterOptions(sortedInput, bufferBytes, targetTableSize, blobThreshold, table, v);
  }
}
