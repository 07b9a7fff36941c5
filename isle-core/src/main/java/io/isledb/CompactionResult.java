package io.isledb;

/**
 * What one compaction did.
 *
 * @param version the version that committed it
 * @param inputTables tables merged
 * @param outputTables tables written
 * @param inputBytes bytes of the input tables
 * @param outputBytes bytes of the output tables
 * @param entriesRead entries read from the inputs
 * @param entriesWritten entries written (older versions, and at the bottom deletions and expired
 *     entries, are dropped)
 * @param bottommost whether the output became the oldest run (deletions and expired entries
 *     dropped)
 * @param entriesFiltered live entries the {@link CompactionFilter} dropped (written as deletions
 *     unless the compaction was bottommost)
 */
public record CompactionResult(
    long version,
    int inputTables,
    int outputTables,
    long inputBytes,
    long outputBytes,
    long entriesRead,
    long entriesWritten,
    boolean bottommost,
    long entriesFiltered) {}
