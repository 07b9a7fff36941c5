package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.PinOptions;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.storage.ObjectNames;
import io.isledb.util.Internal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Pins: {@code manifest/pins/<name>.json}. A version pin keeps one version openable: the pin object
 * carries the version's folded state, and GC keeps the tables that state names, nothing more, so a
 * pin held for days costs only the data that version itself references. A history pin keeps every
 * version from its version on (log edits and every table they added), for consumers that replay the
 * log; it holds back GC's retained window, so storage grows while it is held.
 */
@Internal
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
   * Writes a pin, then checks that no GC pass that missed it can have collected what it keeps.
   *
   * <p>A pass that read the pins before this one was written keeps its own head, and a table of an
   * older version goes only once GC has seen it dead for a grace period; it sees it dead only after
   * reading an edit past that version, and, when the retained window moved past the version, only
   * after seeing that version's edit for the log retention. So a pin is safe when it became visible
   * soon enough after the version was the head; "soon enough" is decided without comparing two
   * machines' clocks (PROTOCOL.md section 7, "Pins"), by the first rule that applies:
   *
   * <ol>
   *   <li>the version was the head when this call read the log, and the pin was written within the
   *       grace period of that read (both readings of this process's clock);
   *   <li>the edit after the version (slot {@code version + 1}) is still stored, and the store's
   *       modification time of the pin minus that of the edit, plus this process's measurement of
   *       how long the pin's PUT took, is below the grace period;
   *   <li>the version's own edit is still stored, and the same measure taken from it is below the
   *       log retention.
   * </ol>
   *
   * A history pin that replaces a history pin of the same name at or below its version (a log
   * consumer moving or renewing its pin) is accepted before these rules when the pin it replaces
   * was read by this call and had not expired by this process's clock when the new one became
   * visible: the earlier pin, accepted when it was written and honoured by every GC pass since,
   * keeps everything after its version, which includes everything the new one keeps. This holds
   * however long ago the version was superseded, so a consumer lagging by more than the log
   * retention can still move its pin. It relies on one writer per pin name (a pin being refused by
   * a concurrent call is not an accepted one).
   *
   * <p>The store's modification times are compared only with each other (the store's own clock),
   * and the PUT's duration bounds how long before its visibility the store stamped the pin. When no
   * rule applies, the earlier pin of that name is put back (or the new one removed) and the call
   * fails. A version pin embeds the version's state, so it depends on no snapshot or log object
   * that GC may collect.
   *
   * <p>Cost: one GET (the pin it replaces) and one PUT besides loading the version; for an older
   * version, up to three STATs.
   */
  public static ManifestState pin(
      DbContext ctx, String name, long version, boolean history, PinOptions pinOptions) {
    checkName(name);
    long observedAt = ctx.clock().millis(); // before the read that finds the head's next slot free
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
    ManifestState state = null;
    if (!history) {
      state = version == head.seq() ? head : ctx.manifest().loadVersion(version);
    }
    if (head.retired()) {
      refuseRetired(ctx, version, state);
    }
    Optional<byte[]> previous = ctx.manifestStore().get(ManifestPaths.pin(name));
    long coveredUntil = history ? coveredUntil(name, version, previous) : Long.MIN_VALUE;
    write(
        ctx,
        name,
        version,
        state,
        version == head.seq(),
        observedAt,
        pinOptions,
        previous,
        coveredUntil);
    return state;
  }

  /**
   * A version of a retired database that is the retirement or after it cannot be pinned: GC deletes
   * the prefix a while after it saw the retirement and no pin, and a pin accepted because its
   * version "was the head" could land after GC's last look (docs/PROTOCOL.md section 9, "Retired
   * sources"). Versions before the retirement are pinned by the stat-based rules, whose slot after
   * the version exists.
   */
  private static void refuseRetired(DbContext ctx, long version, ManifestState state) {
    ManifestState s = state != null ? state : ctx.manifest().loadVersion(version);
    if (s.retired()) {
      throw IsleException.invalidArgument(
          "cannot pin version "
              + version
              + " of "
              + ctx.store().location()
              + ": the database is retired at that version (pin a version before its retirement,"
              + " or an existing pin)");
    }
  }

  /**
   * Until when (this process's clock) the pin {@code previous} keeps everything a history pin of
   * {@code version} needs: its expiry if it is a history pin at or below {@code version}, else
   * {@link Long#MIN_VALUE} (it covers nothing).
   */
  private static long coveredUntil(String name, long version, Optional<byte[]> previous) {
    if (previous.isEmpty() || previous.get().length == 0) {
      return Long.MIN_VALUE;
    }
    ManifestCodec.Pin p = ManifestCodec.decodePin(ManifestPaths.pin(name), previous.get());
    return p.history() && p.version() <= version ? p.expiresAtMillis() : Long.MIN_VALUE;
  }

  /**
   * Pins {@code head}, a version the caller committed itself (a writer's own flush): its create of
   * slot {@code head.seq()} was sent at or after {@code sentAtMillis} (the caller's clock) and
   * succeeded, so the slot after it was still free then, which is what rule 1 needs of "was the
   * head when the call read the log". Costs the PUT only (no manifest read, no GET of the pin it
   * replaces); when rule 1 fails, the stat-based rules are tried, and a refused pin is removed.
   */
  public static void pinOwnHead(
      DbContext ctx, String name, ManifestState head, long sentAtMillis, PinOptions pinOptions) {
    checkName(name);
    write(
        ctx,
        name,
        head.seq(),
        head,
        true,
        sentAtMillis,
        pinOptions,
        Optional.empty(),
        Long.MIN_VALUE);
  }

  /**
   * Writes the pin, accepts it or puts back {@code previous} (removes it if none) and fails. A pin
   * whose PUT returned before {@code coveredUntil} (this process's clock) is accepted outright.
   */
  private static void write(
      DbContext ctx,
      String name,
      long version,
      ManifestState state,
      boolean wasHead,
      long observedAt,
      PinOptions pinOptions,
      Optional<byte[]> previous,
      long coveredUntil) {
    String object = ManifestPaths.pin(name);
    long putStart = ctx.clock().millis();
    long expiresAt =
        pinOptions.ttl() == null
            ? ManifestCodec.Pin.NEVER
            : saturatedAdd(putStart, pinOptions.ttl().toMillis());
    String hold = pinOptions.holdObject() ? ManifestPaths.pinHold(name) : null;
    if (hold != null) {
      // Before the pin: a pin never exists without its hold unless the hold was deleted, which
      // is its release. The content names the pin for operators; nothing reads it.
      ctx.store().put(hold, ("{\"pin\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    ManifestCodec.Pin pin =
        new ManifestCodec.Pin(name, version, putStart, state, pinOptions.owner(), expiresAt, hold);
    ctx.manifestStore().put(object, ManifestCodec.encodePin(pin));
    long putEnd = ctx.clock().millis();
    if (putEnd < coveredUntil) {
      return; // the pin it replaced kept all this one keeps until it was replaced
    }
    String refusal = refusal(ctx, object, version, wasHead, observedAt, putStart, putEnd);
    if (refusal == null) {
      return;
    }
    if (previous.isPresent()) {
      ctx.manifestStore().put(object, previous.get());
    } else {
      ctx.manifestStore().delete(object);
      if (hold != null) {
        ctx.store().delete(hold);
      }
    }
    throw IsleException.invalidArgument(
        "cannot pin version " + version + " of " + ctx.store().location() + ": " + refusal);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < a || r == ManifestCodec.Pin.NEVER ? ManifestCodec.Pin.NEVER - 1 : r;
  }

  /** Why the pin just written may have been missed by a collecting pass, or null if it is safe. */
  private static String refusal(
      DbContext ctx,
      String object,
      long version,
      boolean wasHead,
      long observedAt,
      long putStart,
      long putEnd) {
    long grace = ctx.options().gcGracePeriod().toMillis();
    long retention = ctx.options().logRetention().toMillis();
    if (wasHead && putEnd - observedAt < grace) {
      return null;
    }
    // Plus one second: stores report modification times truncated to whole seconds (HTTP's
    // Last-Modified), which can shrink a difference of two of them by up to a second.
    long took = putEnd - putStart + 1000;
    Optional<ObjectInfo> pin = ctx.manifestStore().stat(object);
    if (pin.isEmpty()) {
      return "the pin " + object + " vanished right after it was written (unpinned concurrently?)";
    }
    long stamped = pin.get().lastModifiedMillis();
    Optional<ObjectInfo> next = ctx.manifestStore().stat(ManifestPaths.log(version + 1));
    if (next.isPresent() && stamped - next.get().lastModifiedMillis() + took < grace) {
      return null;
    }
    Optional<ObjectInfo> own =
        version >= 1 ? ctx.manifestStore().stat(ManifestPaths.log(version)) : Optional.empty();
    if (own.isPresent() && stamped - own.get().lastModifiedMillis() + took < retention) {
      return null;
    }
    if (wasHead) {
      return "writing the pin took "
          + (putEnd - observedAt)
          + " ms since the version was read as the newest, more than the grace period ("
          + grace
          + " ms); retry";
    }
    if (own.isEmpty() && version >= 1) {
      return "it is not the newest version and its log edit is no longer retained";
    }
    return "it is not the newest version, and the store stamped the pin more than the grace"
        + " period ("
        + grace
        + " ms) after the edit that superseded it and more than the log retention ("
        + retention
        + " ms) after its own edit";
  }

  /**
   * Removes the pin {@code name} and then its hold object, if it has one (one GET more: a hold left
   * by a crash in between is a few bytes, deleted with the database).
   */
  public static void unpin(DbContext ctx, String name) {
    checkName(name);
    String object = ManifestPaths.pin(name);
    Optional<byte[]> bytes = ctx.manifestStore().get(object);
    String hold = null;
    if (bytes.isPresent() && bytes.get().length > 0) {
      try {
        hold = ManifestCodec.decodePin(object, bytes.get()).holdObject();
      } catch (IsleException e) {
        // unreadable: remove it all the same (unpinning is what the caller asked for)
      }
    }
    ctx.manifestStore().delete(object);
    if (hold != null) {
      ctx.store().delete(hold);
    }
  }

  public static Map<String, Long> list(DbContext ctx) {
    Map<String, Long> out = new TreeMap<>();
    for (ManifestCodec.Pin p : read(ctx.manifestStore())) {
      out.put(p.name(), p.version());
    }
    return out;
  }

  /** Every pin with its kind, owner and expiry, by name (one LIST, one GET per pin). */
  public static List<PinInfo> infos(DbContext ctx) {
    return infos(ctx.manifestStore());
  }

  /** Like {@link #infos(DbContext)}, for a store without a database context (the isle tool). */
  public static List<PinInfo> infos(ManifestStore store) {
    return infos(store, "");
  }

  /**
   * The pins whose names start with {@code namePrefix}, with their kind, owner and expiry, by name
   * (one LIST, one GET per such pin).
   */
  public static List<PinInfo> infos(ManifestStore store, String namePrefix) {
    checkName(namePrefix.isEmpty() ? "x" : namePrefix);
    List<PinInfo> out = new ArrayList<>();
    for (ManifestCodec.Pin p : read(store, namePrefix, new ArrayList<>())) {
      out.add(
          new PinInfo(
              p.name(),
              p.version(),
              p.history(),
              p.timeMillis(),
              Optional.ofNullable(p.owner()),
              p.expires() ? OptionalLong.of(p.expiresAtMillis()) : OptionalLong.empty()));
    }
    out.sort(java.util.Comparator.comparing(PinInfo::name));
    return out;
  }

  /** The pin named {@code name} (one GET), or empty if there is none. */
  public static Optional<ManifestCodec.Pin> get(ManifestStore store, String name) {
    checkName(name);
    String object = ManifestPaths.pin(name);
    Optional<byte[]> b = store.get(object);
    if (b.isEmpty() || b.get().length == 0) {
      return Optional.empty();
    }
    return Optional.of(ManifestCodec.decodePin(object, b.get()));
  }

  /**
   * The state of the version the version pin {@code name} holds (one GET).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such pin or it is a history pin
   */
  public static ManifestState versionPinState(DbContext ctx, String name) {
    ManifestCodec.Pin p =
        get(ctx.manifestStore(), name)
            .orElseThrow(
                () ->
                    IsleException.invalidArgument(ctx.store().location() + " has no pin " + name));
    if (p.history()) {
      throw IsleException.invalidArgument(
          "the pin " + name + " of " + ctx.store().location() + " is a history pin");
    }
    return p.state();
  }

  /** Every pin (one LIST, one GET per pin); pins removed while listing are skipped. */
  public static List<ManifestCodec.Pin> read(ManifestStore store) {
    return read(store, new ArrayList<>());
  }

  /** {@link #read(ManifestStore)} for a database whose manifest is on {@code store} (tests). */
  public static List<ManifestCodec.Pin> read(ObjectStore store) {
    return read(new ObjectStoreManifestStore(store));
  }

  /**
   * Every pin (one LIST, one GET per pin). A pin listed but found missing or empty when read
   * (unpinned meanwhile, or being replaced: ABFS deletes the old object before renaming the new one
   * into place) is left out and its name added to {@code vanished}: GC must not act as if it did
   * not exist.
   */
  public static List<ManifestCodec.Pin> read(ManifestStore store, List<String> vanished) {
    return read(store, "", vanished);
  }

  /**
   * {@link #read(ManifestStore, List)} of the pins whose names start with {@code namePrefix}: one
   * LIST, one GET per such pin.
   */
  public static List<ManifestCodec.Pin> read(
      ManifestStore store, String namePrefix, List<String> vanished) {
    String objectPrefix = ManifestPaths.PINS_DIR + namePrefix;
    List<ManifestCodec.Pin> out = new ArrayList<>();
    for (ObjectInfo o : store.list(ManifestPaths.PINS_DIR)) {
      if (!o.name().startsWith(objectPrefix)) {
        continue;
      }
      Optional<byte[]> b = store.get(o.name());
      if (b.isEmpty() || b.get().length == 0) {
        vanished.add(o.name());
      } else {
        out.add(ManifestCodec.decodePin(o.name(), b.get()));
      }
    }
    return out;
  }

  /**
   * The state of {@code version} kept by a version pin, for a reader whose log no longer reaches
   * it.
   */
  public static Optional<ManifestState> pinnedState(ManifestStore store, long version) {
    for (ManifestCodec.Pin p : read(store)) {
      if (!p.history() && p.version() == version) {
        return Optional.of(p.state());
      }
    }
    return Optional.empty();
  }
}
