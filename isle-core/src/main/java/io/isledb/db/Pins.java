package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.ObjectNames;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pins: {@code manifest/pins/<name>.json}. A version pin keeps one version openable: the pin object
 * carries the version's folded state, and GC keeps the tables that state names, nothing more, so a
 * pin held for days costs only the data that version itself references. A history pin keeps every
 * version from its version on (log edits and every table they added), for consumers that replay the
 * log; it holds back GC's retained window, so storage grows while it is held.
 */
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
   * safe because such a pass keeps the version it saw as newest and every edit younger than the log
   * retention. So a pin is accepted for the newest version, or for a version whose edit is younger
   * than half the log retention. A version pin embeds the version's state, so it depends on no
   * snapshot or log object that GC may collect.
   */
  public static void pin(DbContext ctx, String name, long version, boolean history) {
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
    ManifestState state = null;
    if (!history) {
      state = version == head.seq() ? head : ctx.manifest().loadVersion(version);
    }
    ctx.store()
        .put(
            ManifestPaths.pin(name),
            ManifestCodec.encodePin(
                new ManifestCodec.Pin(name, version, ctx.clock().millis(), state)));
  }

  public static void unpin(DbContext ctx, String name) {
    checkName(name);
    ctx.store().delete(ManifestPaths.pin(name));
  }

  public static Map<String, Long> list(DbContext ctx) {
    Map<String, Long> out = new TreeMap<>();
    for (ManifestCodec.Pin p : read(ctx.store())) {
      out.put(p.name(), p.version());
    }
    return out;
  }

  /** Every pin (one LIST, one GET per pin); pins removed while listing are skipped. */
  public static List<ManifestCodec.Pin> read(ObjectStore store) {
    List<ManifestCodec.Pin> out = new ArrayList<>();
    Iterator<ObjectInfo> it = store.list(ManifestPaths.PINS_DIR);
    while (it.hasNext()) {
      ObjectInfo o = it.next();
      store.get(o.name()).ifPresent(b -> out.add(ManifestCodec.decodePin(o.name(), b)));
    }
    return out;
  }

  /**
   * The state of {@code version} kept by a version pin, for a reader whose log no longer reaches
   * it.
   */
  static Optional<ManifestState> pinnedState(ObjectStore store, long version) {
    for (ManifestCodec.Pin p : read(store)) {
      if (!p.history() && p.version() == version) {
        return Optional.of(p.state());
      }
    }
    return Optional.empty();
  }
}
