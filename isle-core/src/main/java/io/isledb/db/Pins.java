package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.ObjectNames;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Pins: {@code manifest/pins/<name>.json}, each naming a version GC must keep whole. */
public final class Pins {
  private Pins() {}

  static void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains("/")) {
      throw IsleException.invalidArgument(
          "pin name '" + name + "' must be one non-empty path segment");
    }
    ObjectNames.checkName(name);
  }

  /**
   * Writes a pin. A GC pass that started before the pin was written cannot know it; it is still
   * safe because such a pass keeps the version it saw as newest, and every edit younger than the
   * log retention. So a pin is accepted for the newest version, or for a version whose edit is
   * younger than half the log retention.
   */
  public static void pin(DbContext ctx, String name, long version) {
    checkName(name);
    ManifestState head = ctx.manifest().loadLatest();
    if (version < 0 || version > head.seq()) {
      throw IsleException.invalidArgument(
          "cannot pin version "
              + version
              + " of "
              + ctx.store().location()
              + ": the newest version is "
              + head.seq());
    }
    if (version < head.seq()) {
      Optional<Edit> e = ctx.manifest().readEdit(version);
      long age = e.map(x -> ctx.clock().millis() - x.timeMillis()).orElse(Long.MAX_VALUE);
      long limit = ctx.options().logRetention().toMillis() / 2;
      if (age > limit) {
        throw IsleException.invalidArgument(
            "cannot pin version "
                + version
                + " of "
                + ctx.store().location()
                + ": it is not the newest version and its edit is "
                + (e.isEmpty()
                    ? "no longer retained"
                    : age + " ms old, more than half the log retention (" + limit + " ms)"));
      }
    }
    ctx.store()
        .put(
            ManifestPaths.pin(name),
            ManifestCodec.encodePin(new ManifestCodec.Pin(name, version, ctx.clock().millis())));
  }

  public static void unpin(DbContext ctx, String name) {
    checkName(name);
    ctx.store().delete(ManifestPaths.pin(name));
  }

  public static Map<String, Long> list(DbContext ctx) {
    Map<String, Long> out = new TreeMap<>();
    Iterator<ObjectInfo> it = ctx.store().list(ManifestPaths.PINS_DIR);
    while (it.hasNext()) {
      ObjectInfo o = it.next();
      ctx.store()
          .get(o.name())
          .ifPresent(
              b -> {
                ManifestCodec.Pin p = ManifestCodec.decodePin(o.name(), b);
                out.put(p.name(), p.version());
              });
    }
    return out;
  }
}
