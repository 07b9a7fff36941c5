package io.isledb.db.gc;

import io.isledb.CorruptionException;
import io.isledb.ObjectInfo;
import io.isledb.db.DbContext;
import io.isledb.manifest.GcState;
import io.isledb.manifest.Lease;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GC's observation of leases (PROTOCOL.md section 7, "Long jobs: leases"): a lease is live while GC
 * saw its content change within the larger of its ttl and the grace period, by GC's own clock (no
 * cross-machine clock comparison); a lease that stopped changing for that long is dead.
 */
final class GcLeases {
  private static final Logger LOG = LoggerFactory.getLogger(GcLeases.class);

  private final DbContext ctx;

  /** Lease name to its refresh, when GC saw that refresh first, and its ttl. */
  private final Map<String, GcState.LeaseSeen> seen = new HashMap<>();

  GcLeases(DbContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Reads the listed leases and returns what the live ones cover. A change is stamped with a
   * reading taken after the read that found it, never before the holder's rewrite. Leases that were
   * listed but could not be read are added to {@code unreadable}.
   */
  Lease.Coverage read(List<ObjectInfo> listing, long now, long grace, List<String> unreadable) {
    Lease.Coverage out = new Lease.Coverage();
    Set<String> present = new HashSet<>();
    for (ObjectInfo o : listing) {
      Optional<byte[]> b = ctx.manifestStore().get(o.name());
      long readAt = ctx.clock().millis();
      if (b.isEmpty() || b.get().length == 0) {
        // Deleted by its holder after the listing, or being replaced (ABFS deletes the old object
        // before renaming the new one into place): it may name uploads in flight.
        LOG.info(
            "lease {} was listed but reads back {}", o.name(), b.isEmpty() ? "missing" : "empty");
        unreadable.add(o.name());
        continue;
      }
      Lease l;
      try {
        l = Lease.decode(o.name(), b.get());
      } catch (CorruptionException e) {
        // A newer format or a bug: its uploads are unknown, so nothing may be deleted. The lease
        // itself is left alone too (it is forgotten here), for whoever can read it.
        LOG.warn(
            "lease {} is unreadable, no table or blob is collected until it is readable or"
                + " removed: {}",
            o.name(),
            e.getMessage());
        unreadable.add(o.name());
        continue;
      }
      present.add(o.name());
      GcState.LeaseSeen s = seen.get(o.name());
      if (s == null || s.refresh() != l.refresh()) {
        s = new GcState.LeaseSeen(o.name(), l.refresh(), readAt, l.ttlMillis());
        seen.put(o.name(), s);
      }
      if (now - s.sinceMillis() < Math.max(grace, l.ttlMillis())) {
        out.add(l);
      }
    }
    seen.keySet().retainAll(present);
    return out;
  }

  /** Adds to {@code into} (and forgets) every lease dead at {@code now}; returns how many. */
  int collectDead(long now, long grace, List<String> into) {
    int n = 0;
    for (Iterator<GcState.LeaseSeen> it = seen.values().iterator(); it.hasNext(); ) {
      GcState.LeaseSeen s = it.next();
      if (now - s.sinceMillis() >= Math.max(grace, s.ttlMillis())) {
        into.add(s.name());
        it.remove();
        n++;
      }
    }
    return n;
  }

  /** What GC saw of each lease, for its checkpoint. */
  List<GcState.LeaseSeen> observations() {
    return new ArrayList<>(seen.values());
  }
}
