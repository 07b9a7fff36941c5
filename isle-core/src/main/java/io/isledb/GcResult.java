package io.isledb;

import java.util.List;

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
 * @param unreadable leases and pins that were listed but could not be read (gone meanwhile, being
 *     replaced, a newer format, corrupt). GC fails closed: with such a lease the pass marks and
 *     deletes no table or blob (the lease may name uploads in flight); with such a pin it deletes
 *     no table, blob, log edit or snapshot and keeps its retained window where it was. A lease or
 *     pin that stays unreadable blocks collection until an operator repairs or removes it; the GC
 *     log names it on every pass.
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
    int deletedLeases,
    List<String> unreadable) {
  public GcResult {
    unreadable = List.copyOf(unreadable);
  }

  /** Whether the pass skipped its sweep of tables and blobs because something was unreadable. */
  public boolean failedClosed() {
    return !unreadable.isEmpty();
  }
}
