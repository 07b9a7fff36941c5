package io.isledb;

/**
 * What one retention pass dropped.
 *
 * @param version the version that committed the drop
 * @param droppedTables tables dropped
 * @param droppedBytes their bytes
 * @param lowWatermarkLsn the published low-watermark LSN, or -1 when not tracked
 */
public record RetentionResult(
    long version, int droppedTables, long droppedBytes, long lowWatermarkLsn) {}
