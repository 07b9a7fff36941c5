package io.isledb;

/**
 * What one GC pass did.
 *
 * @param version the version the pass looked at
 * @param liveTables tables referenced by the retained versions
 * @param liveBlobs blobs referenced by them
 * @param newlyMarked unreferenced objects seen for the first time (deleted one grace period later)
 * @param pending unreferenced objects still waiting for their grace period
 * @param deletedTables table objects deleted
 * @param deletedBlobs blob objects deleted
 * @param deletedBytes bytes of deleted tables and blobs
 * @param deletedLogEdits log edits deleted
 * @param deletedSnapshots snapshots deleted
 * @param deletedLeases dead leases deleted
 */
public record GcResult(
    long version,
    int liveTables,
    int liveBlobs,
    int newlyMarked,
    int pending,
    int deletedTables,
    int deletedBlobs,
    long deletedBytes,
    int deletedLogEdits,
    int deletedSnapshots,
    int deletedLeases) {}
