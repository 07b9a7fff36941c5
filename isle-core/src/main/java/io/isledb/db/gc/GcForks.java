package io.isledb.db.gc;

import io.isledb.IsleException;
import io.isledb.db.DbContext;
import io.isledb.db.ForkPins;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SourcePin;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GC's part in forks (docs/PROTOCOL.md section 9), both sides:
 *
 * <ul>
 *   <li>as a fork: releases its pin on a source once no live table has lived there for a grace
 *       period (marked and swept like a dead table, by this instance's clock);
 *   <li>as a source: removes a fork's pin whose fork does not list it, once seen for a grace period
 *       (a creation that crashed before its fork edit, or a fork deleted whole).
 * </ul>
 *
 * Every time compared is a reading of this instance's clock; nothing here is persisted, so a new
 * instance only starts its clocks afresh (a release or removal is delayed, never early).
 */
final class GcForks {
  private static final Logger LOG = LoggerFactory.getLogger(GcForks.class);

  private final DbContext ctx;
  private final Map<String, Long> unreferencedSince = new HashMap<>(); // source prefix -> mark
  private final Set<String> released = new HashSet<>(); // source prefixes whose pin we deleted
  private final Map<String, Long> strayCandidates = new HashMap<>(); // pin name -> first seen
  private final Set<String> confirmed = new HashSet<>(); // fork pins the fork lists

  GcForks(DbContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Releases the sources of {@code head} that no table of {@code live} has lived in for the grace
   * period. Only when {@code mayDelete} (the pass deletes tables: every lease and pin was read).
   *
   * @return how many source pins this pass deleted
   */
  int releaseSources(
      ManifestState head, Map<String, SstMeta> live, long now, long grace, boolean mayDelete) {
    Map<String, SourcePin> sources = head.commits().sources();
    if (sources.isEmpty()) {
      return 0;
    }
    Set<String> homes = new HashSet<>();
    for (SstMeta t : live.values()) {
      if (t.home() != null) {
        homes.add(t.home());
      }
    }
    long markTime = ctx.clock().millis(); // after the head and pins this live set comes from
    int deleted = 0;
    for (SourcePin sp : sources.values()) {
      if (sp.homes().stream().anyMatch(homes::contains)) {
        unreferencedSince.remove(sp.prefix()); // referenced again (a version pinned meanwhile)
        released.remove(sp.prefix());
        continue;
      }
      if (released.contains(sp.prefix())) {
        continue;
      }
      long since = unreferencedSince.computeIfAbsent(sp.prefix(), p -> markTime);
      if (!mayDelete || now - since < grace) {
        continue;
      }
      try {
        ctx.manifestStore().sibling(sp.prefix()).delete(ManifestPaths.pin(sp.pin()));
      } catch (IsleException e) {
        LOG.warn(
            "cannot release the pin {} on source {}: {}", sp.pin(), sp.prefix(), e.getMessage());
        continue;
      }
      LOG.info(
          "released the pin {} on source {}: no table of it is referenced", sp.pin(), sp.prefix());
      released.add(sp.prefix());
      unreferencedSince.remove(sp.prefix());
      deleted++;
    }
    return deleted;
  }

  /**
   * Removes fork pins among {@code pins} whose fork does not list them and that this instance has
   * seen for the grace period.
   *
   * @return the names of the pins removed
   */
  List<String> removeStrayPins(List<ManifestCodec.Pin> pins, long now, long grace) {
    List<String> removed = new ArrayList<>();
    long seenAt = ctx.clock().millis(); // after the listing and reads that found them
    Set<String> present = new HashSet<>();
    for (ManifestCodec.Pin p : pins) {
      String fork = ForkPins.forkOf(p.owner());
      if (fork == null || confirmed.contains(p.name())) {
        continue;
      }
      present.add(p.name());
      long first = strayCandidates.computeIfAbsent(p.name(), n -> seenAt);
      if (now - first < grace) {
        continue;
      }
      try {
        ManifestState forkHead = new Manifest(ctx.manifestStore().sibling(fork)).loadLatest();
        SourcePin listed = forkHead.commits().sources().get(ctx.manifestStore().prefix());
        if (listed != null && listed.pin().equals(p.name())) {
          confirmed.add(p.name());
          strayCandidates.remove(p.name());
          continue;
        }
        ctx.manifestStore().delete(ManifestPaths.pin(p.name()));
      } catch (IsleException e) {
        LOG.warn("cannot check the fork pin {} (fork {}): {}", p.name(), fork, e.getMessage());
        continue;
      }
      LOG.info("removed the pin {}: its fork {} does not list it", p.name(), fork);
      strayCandidates.remove(p.name());
      removed.add(p.name());
    }
    strayCandidates.keySet().retainAll(present);
    return removed;
  }
}
