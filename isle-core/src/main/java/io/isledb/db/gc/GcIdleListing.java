package io.isledb.db.gc;

import java.util.Set;

/**
 * When GC may skip listing tables and blobs: the listing is what marks garbage, and over a database
 * that has not changed it finds nothing. A pass skips it when the previous listing found every
 * object referenced (nothing marked, nothing only leased, every lease and pin read), the live
 * tables and blobs are still exactly the ones of that listing, and that listing is less than a
 * grace period old. On stores with directories a listing is one LIST per table shard folder
 * (file://: about one per table), so an idle database's passes cost a few manifest requests
 * instead.
 *
 * <p>Safe because skipping deletes nothing: an object can only become garbage without a change of
 * the live set by being uploaded and never committed (a writer that died, a lost commit), and such
 * an object is found by the next listing, at most a grace period later; its deletion still needs a
 * mark a grace period old, so it is deleted at most one grace period later than with a listing per
 * pass.
 */
final class GcIdleListing {
  private Set<String> tables; // live tables of the previous listing; null: list
  private Set<String> blobs;
  private long listedAt;

  /** Whether this pass may skip the listing (see the class comment). */
  boolean unchanged(GcLiveSet.Live live, int marked, boolean everythingRead, long now, long grace) {
    return tables != null
        && marked == 0
        && everythingRead
        && now - listedAt < grace
        && tables.equals(live.tables().keySet())
        && blobs.equals(live.blobs());
  }

  /**
   * Records a listing at {@code now} of the live set {@code live}; {@code settled}: it found every
   * object referenced and read every lease and pin (otherwise the next pass lists again).
   */
  void listed(GcLiveSet.Live live, boolean settled, long now) {
    tables = settled ? Set.copyOf(live.tables().keySet()) : null;
    blobs = settled ? Set.copyOf(live.blobs()) : null;
    listedAt = now;
  }
}
