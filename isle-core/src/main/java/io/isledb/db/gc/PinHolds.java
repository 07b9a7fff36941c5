package io.isledb.db.gc;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pin holds in GC (docs/PROTOCOL.md section 7, "Pin holds"): a pin that names a hold object lasts
 * only while that object exists on the database's object store. Whoever can delete objects but not
 * reach the manifest store (Flink's JobManager discarding a checkpoint whose manifest is in
 * PostgreSQL) releases the pin by deleting its hold; GC turns that into the unpin.
 */
@Internal
public final class PinHolds {
  private static final Logger LOG = LoggerFactory.getLogger(PinHolds.class);

  private PinHolds() {}

  /**
   * The pins of {@code pins} whose hold object (if any) still exists (one STAT per held pin);
   * deletes the others. A pin is read again before its deletion and kept unless it still has the
   * bytes GC decided on: a pin written anew under the same name wrote its hold first, so a released
   * pin that was replaced meanwhile is never removed (only a replacement landing between that read
   * and the delete would be, as for expiry; pin names of released pins are not reused by the
   * pinners that use holds).
   */
  public static List<ManifestCodec.Pin> held(
      ObjectStore store, ManifestStore manifest, List<ManifestCodec.Pin> pins) {
    List<ManifestCodec.Pin> out = new ArrayList<>();
    for (ManifestCodec.Pin p : pins) {
      if (p.holdObject() == null || store.stat(p.holdObject()).isPresent()) {
        out.add(p);
        continue;
      }
      String object = ManifestPaths.pin(p.name());
      Optional<byte[]> again = manifest.get(object);
      if (again.isEmpty() || again.get().length == 0) {
        continue; // unpinned meanwhile
      }
      if (!Arrays.equals(again.get(), ManifestCodec.encodePin(p))) {
        ManifestCodec.Pin now;
        try {
          now = ManifestCodec.decodePin(object, again.get());
        } catch (IsleException e) {
          out.add(p); // replaced by something unreadable: keep what we read, delete nothing
          continue;
        }
        if (now.holdObject() == null || store.stat(now.holdObject()).isPresent()) {
          out.add(now); // replaced by a pin that is held (or has no hold)
          continue;
        }
      }
      manifest.delete(object);
      LOG.info(
          "gc of {}: pin {} of version {} (owner {}) released: its hold {} is gone",
          store.location(),
          p.name(),
          p.version(),
          p.owner(),
          p.holdObject());
    }
    return out;
  }
}
