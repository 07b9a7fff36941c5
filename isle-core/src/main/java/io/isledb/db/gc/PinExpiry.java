package io.isledb.db.gc;

import io.isledb.IsleException;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pin expiry in GC (docs/PROTOCOL.md section 7, "Pin expiry"). A pin's {@code expiresAt} is a
 * reading of the pinner's clock; GC honours the pin until its own clock passes {@code expiresAt}
 * plus the grace period, so a GC clock running ahead of the pinner's by less than the grace period
 * never drops a pin before it expired. An expired pin is then no longer honoured (its version's
 * tables are collected like any other dead table, a grace period after GC first sees them dead) and
 * its object is deleted.
 */
@Internal
public final class PinExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(PinExpiry.class);

  private PinExpiry() {}

  /** Whether GC, at {@code now} by its clock, no longer honours {@code p}. */
  static boolean expired(ManifestCodec.Pin p, long now, long graceMillis) {
    return p.expires() && now - graceMillis > p.expiresAtMillis();
  }

  /**
   * The pins GC honours at {@code now}; deletes the others. A pin is read again just before its
   * deletion and kept if it was renewed meanwhile (a renewal that lands between that read and the
   * delete is lost: renew pins before they expire, docs/PROTOCOL.md).
   */
  public static List<ManifestCodec.Pin> honoured(
      ManifestStore store, List<ManifestCodec.Pin> pins, long now, long graceMillis) {
    List<ManifestCodec.Pin> out = new ArrayList<>();
    for (ManifestCodec.Pin p : pins) {
      if (!expired(p, now, graceMillis)) {
        out.add(p);
        continue;
      }
      String object = ManifestPaths.pin(p.name());
      Optional<byte[]> again = store.get(object);
      if (again.isPresent() && again.get().length > 0) {
        ManifestCodec.Pin renewed;
        try {
          renewed = ManifestCodec.decodePin(object, again.get());
        } catch (IsleException e) {
          out.add(
              p); // replaced by something unreadable: keep honouring what we read, delete nothing
          continue;
        }
        if (!expired(renewed, now, graceMillis)) {
          out.add(renewed);
          continue;
        }
        store.delete(object);
      }
      LOG.info(
          "gc of {}: pin {} of version {} (owner {}) expired at {} (pinner's clock); dropped",
          store.location(),
          p.name(),
          p.version(),
          p.owner(),
          p.expiresAtMillis());
    }
    return out;
  }
}
