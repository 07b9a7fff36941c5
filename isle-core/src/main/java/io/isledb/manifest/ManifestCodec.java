package io.isledb.manifest;

import static io.isledb.manifest.JsonFields.array;
import static io.isledb.manifest.JsonFields.asLong;
import static io.isledb.manifest.JsonFields.field;
import static io.isledb.manifest.JsonFields.num;
import static io.isledb.manifest.JsonFields.str;
import static io.isledb.manifest.JsonFields.strings;
import static io.isledb.manifest.TableJson.tables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes manifest log edits, snapshots, CURRENT and pins (docs/FORMAT.md, "Manifest
 * objects"). Field names and type ids are persisted: never rename them. Decoding is strict: a
 * missing or mistyped field is corruption.
 */
@Internal
public final class ManifestCodec {
  /** Persisted: the manifest format version written by this code. */
  public static final int FORMAT_VERSION = JsonHeader.FORMAT_VERSION;

  // Persisted change type ids. Never change.
  static final String FENCE = "fence";
  static final String ADD = "add";
  static final String COMPACT = "compact";
  static final String DROP = "drop";
  static final String RESTORE = "restore";
  static final String REMOVE_USERS = "remove-commit-users";
  static final String FORK = "fork";

  /** Persisted field of a {@code compact} change (format 3); absent means false. */
  static final String BOTTOMMOST = "bottommost";

  private ManifestCodec() {}

  // ---------------------------------------------------------------- edits

  /** Bytes of a log edit object. */
  public static byte[] encodeEdit(Edit e) {
    ObjectNode n = JsonHeader.start("edit", CommitFields.version(e));
    n.put("seq", e.seq());
    n.put("role", e.role().id());
    n.put("epoch", e.epoch());
    n.put("author", e.author());
    n.put("time", e.timeMillis());
    if (e.token() != null) {
      n.put("token", e.token());
    }
    ObjectNode c = n.putObject("change");
    if (e.change() instanceof Edit.Fence) {
      c.put("type", FENCE);
    } else if (e.change() instanceof Edit.AddTables a) {
      c.put("type", ADD);
      tables(c.putArray("tables"), a.tables());
      c.put("lastSeq", a.lastSeq());
      c.put("committedLsn", a.committedLsn());
      CommitFields.putAdd(c, a);
    } else if (e.change() instanceof Edit.Compact k) {
      c.put("type", COMPACT);
      ArrayNode in = c.putArray("inputs");
      k.inputs().forEach(in::add);
      tables(c.putArray("output"), k.output());
      if (k.bottommost()) {
        c.put(BOTTOMMOST, true); // absent means false: older edits keep their bytes
      }
    } else if (e.change() instanceof Edit.DropTables d) {
      c.put("type", DROP);
      ArrayNode ids = c.putArray("ids");
      d.ids().forEach(ids::add);
      c.put("lowWatermarkLsn", d.lowWatermarkLsn());
    } else if (e.change() instanceof Edit.Restore r) {
      c.put("type", RESTORE);
      c.put("version", r.version());
      putState(c.putObject("state"), r.state());
    } else if (e.change() instanceof Edit.Fork f) {
      c.put("type", FORK);
      putState(c.putObject("state"), f.state());
    } else if (e.change() instanceof Edit.RemoveCommitUsers u) {
      c.put("type", REMOVE_USERS);
      ArrayNode users = c.putArray("users");
      u.users().forEach(users::add);
    }
    return ChecksummedJson.encode(n);
  }

  /** Decodes the log edit stored as {@code name}; checks that it is for slot {@code seq}. */
  public static Edit decodeEdit(String name, long seq, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, "edit");
    long stored = num(name, n, "seq");
    if (stored != seq) {
      throw new CorruptionException(
          "manifest edit " + name + " claims slot " + stored + ", expected " + seq);
    }
    JsonNode c = field(name, n, "change");
    String type = str(name, c, "type");
    Edit.Change change =
        switch (type) {
          case FENCE -> new Edit.Fence();
          case ADD ->
              CommitFields.readAdd(
                  name,
                  n,
                  c,
                  tables(name, field(name, c, "tables")),
                  num(name, c, "lastSeq"),
                  num(name, c, "committedLsn"));
          case COMPACT ->
              new Edit.Compact(
                  strings(name, field(name, c, "inputs")),
                  tables(name, field(name, c, "output")),
                  bottommost(name, n, c));
          case DROP ->
              new Edit.DropTables(
                  strings(name, field(name, c, "ids")), num(name, c, "lowWatermarkLsn"));
          case RESTORE -> {
            long v = num(name, c, "version");
            yield new Edit.Restore(stateFrom(name, v, n, field(name, c, "state")));
          }
          case FORK -> {
            JsonHeader.requireFormat(name, n, JsonHeader.FORK_FORMAT_VERSION, FORK);
            yield new Edit.Fork(stateFrom(name, 0, n, field(name, c, "state")));
          }
          case REMOVE_USERS -> {
            JsonHeader.requireFormat(name, n, JsonHeader.COMMITS_FORMAT_VERSION, REMOVE_USERS);
            yield new Edit.RemoveCommitUsers(strings(name, field(name, c, "users")));
          }
          default ->
              throw new CorruptionException(
                  "manifest edit " + name + " has unknown change type '" + type + "'");
        };
    return new Edit(
        seq,
        Role.fromId(str(name, n, "role")),
        num(name, n, "epoch"),
        str(name, n, "author"),
        num(name, n, "time"),
        JsonFields.optionalStr(name, n, "token"),
        change);
  }

  private static boolean bottommost(String name, JsonNode root, JsonNode c) {
    if (!c.has(BOTTOMMOST)) {
      return false;
    }
    JsonHeader.requireFormat(name, root, JsonHeader.BOTTOMMOST_FORMAT_VERSION, BOTTOMMOST);
    JsonNode v = c.get(BOTTOMMOST);
    if (!v.isBoolean()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + BOTTOMMOST + "' is not a boolean");
    }
    return v.booleanValue();
  }

  // ---------------------------------------------------------------- snapshots

  /** Bytes of a snapshot of {@code s}. */
  public static byte[] encodeSnapshot(ManifestState s, long timeMillis) {
    ObjectNode n = JsonHeader.start("snapshot", CommitFields.version(s));
    n.put("seq", s.seq());
    n.put("time", timeMillis);
    putState(n, s);
    return ChecksummedJson.encode(n);
  }

  /** The fields of a folded state, shared by snapshots and version pins. */
  private static void putState(ObjectNode n, ManifestState s) {
    ObjectNode f = n.putObject("fences");
    s.fences().forEach((role, epoch) -> f.put(role.id(), epoch));
    n.put("lastSeq", s.lastSeq());
    tables(n.putArray("l0"), s.l0());
    ArrayNode runs = n.putArray("runs");
    for (SortedRun r : s.runs()) {
      ObjectNode rn = runs.addObject();
      rn.put("id", r.id());
      tables(rn.putArray("tables"), r.tables());
    }
    ArrayNode tk = n.putArray("tokens");
    s.tokens()
        .forEach(
            (token, version) -> {
              ObjectNode t = tk.addObject();
              t.put("token", token);
              t.put("version", version);
            });
    n.put("maxCommittedLsn", s.maxCommittedLsn());
    n.put("lowWatermarkLsn", s.lowWatermarkLsn());
    n.put("nextRunId", s.nextRunId());
    CommitFields.putState(n, s.commits());
  }

  /** Decodes the snapshot stored as {@code name}, which must be of version {@code seq}. */
  public static ManifestState decodeSnapshot(String name, long seq, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, "snapshot");
    long stored = num(name, n, "seq");
    if (stored != seq) {
      throw new CorruptionException(
          "snapshot " + name + " claims version " + stored + ", expected " + seq);
    }
    return stateFrom(name, seq, n, n);
  }

  private static ManifestState stateFrom(String name, long seq, JsonNode root, JsonNode n) {
    Map<Role, Long> fences = new EnumMap<>(Role.class);
    field(name, n, "fences")
        .fields()
        .forEachRemaining(
            en -> fences.put(Role.fromId(en.getKey()), asLong(name, en.getValue(), en.getKey())));
    List<SortedRun> runs = new ArrayList<>();
    for (JsonNode rn : array(name, field(name, n, "runs"))) {
      runs.add(new SortedRun(num(name, rn, "id"), tables(name, root, field(name, rn, "tables"))));
    }
    Map<String, Long> tokens = new LinkedHashMap<>();
    for (JsonNode t : array(name, field(name, n, "tokens"))) {
      tokens.put(str(name, t, "token"), num(name, t, "version"));
    }
    return ManifestState.fromSnapshot(
        seq,
        fences,
        num(name, n, "lastSeq"),
        tables(name, root, field(name, n, "l0")),
        runs,
        tokens,
        num(name, n, "maxCommittedLsn"),
        num(name, n, "lowWatermarkLsn"),
        num(name, n, "nextRunId"),
        CommitFields.readState(name, root, n));
  }

  // ---------------------------------------------------------------- CURRENT

  /**
   * The hint in {@code manifest/CURRENT}: never trusted for correctness.
   *
   * @param snapshotSeq newest snapshot the author knew of
   * @param headSeq the log head when written (a hint of where to start probing)
   * @param maxCommittedLsn the application LSN committed as of headSeq, or -1
   * @param lowWatermarkLsn the application LSN below which data is gone, or -1
   * @param timeMillis when it was written
   */
  public record Current(
      long snapshotSeq,
      long headSeq,
      long maxCommittedLsn,
      long lowWatermarkLsn,
      long timeMillis) {}

  /** Bytes of a CURRENT hint. */
  public static byte[] encodeCurrent(Current c) {
    ObjectNode n = JsonHeader.start("current");
    n.put("snapshotSeq", c.snapshotSeq());
    n.put("headSeq", c.headSeq());
    n.put("maxCommittedLsn", c.maxCommittedLsn());
    n.put("lowWatermarkLsn", c.lowWatermarkLsn());
    n.put("time", c.timeMillis());
    return ChecksummedJson.encode(n);
  }

  /** Decodes a CURRENT hint. */
  public static Current decodeCurrent(String name, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, "current");
    return new Current(
        num(name, n, "snapshotSeq"),
        num(name, n, "headSeq"),
        num(name, n, "maxCommittedLsn"),
        num(name, n, "lowWatermarkLsn"),
        num(name, n, "time"));
  }

  // ---------------------------------------------------------------- settings

  /**
   * What every process on a database must agree on, recorded once by its first author ({@code
   * manifest/settings.json}, created if absent and never rewritten by IsleDB).
   *
   * @param gcGracePeriodMillis the GC grace period of the database, in milliseconds (positive)
   * @param author the author that recorded it
   * @param timeMillis when it was recorded (that author's clock)
   */
  public record Settings(long gcGracePeriodMillis, String author, long timeMillis) {}

  /** Bytes of a settings object. */
  public static byte[] encodeSettings(Settings s) {
    ObjectNode n = JsonHeader.start("settings");
    n.put("gcGracePeriodMillis", s.gcGracePeriodMillis());
    n.put("author", s.author());
    n.put("time", s.timeMillis());
    return ChecksummedJson.encode(n);
  }

  /** Decodes a settings object; a grace period that is not positive is corruption. */
  public static Settings decodeSettings(String name, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, "settings");
    long grace = num(name, n, "gcGracePeriodMillis");
    if (grace <= 0) {
      throw new CorruptionException(
          "manifest object " + name + ": gcGracePeriodMillis " + grace + " is not positive");
    }
    return new Settings(grace, str(name, n, "author"), num(name, n, "time"));
  }

  // ---------------------------------------------------------------- pins

  /**
   * A pin: GC keeps what version {@code version} needs while the pin exists and has not expired.
   *
   * @param name the pin's name (also its object name)
   * @param version the pinned version
   * @param timeMillis when it was written
   * @param state for a version pin, the folded state of {@code version}: GC keeps the tables it
   *     names and readers open the version from it, however long ago its log was collected. Null
   *     for a history pin, which keeps every version from {@code version} on (the log edits and
   *     every table they added).
   * @param owner who holds the pin (a job, a consumer), for operators; null if not given
   * @param expiresAtMillis when the pin expires, on the pinner's clock; {@link #NEVER} if it does
   *     not. GC honours it until its own clock passes this plus its grace period (PROTOCOL.md
   *     section 7, "Pin expiry")
   * @param holdObject the object (relative to the database prefix, on the database's object store)
   *     whose absence releases the pin, or null for none (PROTOCOL.md section 7, "Pin holds")
   */
  public record Pin(
      String name,
      long version,
      long timeMillis,
      ManifestState state,
      String owner,
      long expiresAtMillis,
      String holdObject) {
    /** {@link #expiresAtMillis()} of a pin that never expires (and of every pin written before). */
    public static final long NEVER = Long.MAX_VALUE;

    /** A pin without a hold object. */
    public Pin(
        String name,
        long version,
        long timeMillis,
        ManifestState state,
        String owner,
        long expiresAtMillis) {
      this(name, version, timeMillis, state, owner, expiresAtMillis, null);
    }

    /** A pin without owner or expiry. */
    public Pin(String name, long version, long timeMillis, ManifestState state) {
      this(name, version, timeMillis, state, null, NEVER);
    }

    /** Whether this is a history pin. */
    public boolean history() {
      return state == null;
    }

    /** Whether the pin expires at all. */
    public boolean expires() {
      return expiresAtMillis != NEVER;
    }
  }

  /** Persisted values of a pin's {@code kind} field. Never change them. */
  private static final String PIN_VERSION = "version";

  private static final String PIN_HISTORY = "history";

  /**
   * Bytes of a pin object. {@code owner} and {@code expiresAt} are written only when set, so a pin
   * without them has the bytes it had before they existed; a reader that does not know them keeps
   * the pin forever, which is safe.
   */
  public static byte[] encodePin(Pin p) {
    ObjectNode n =
        JsonHeader.start(
            "pin", p.history() ? JsonHeader.FORMAT_VERSION : CommitFields.version(p.state()));
    n.put("name", p.name());
    n.put("version", p.version());
    n.put("kind", p.history() ? PIN_HISTORY : PIN_VERSION);
    n.put("time", p.timeMillis());
    if (p.owner() != null) {
      n.put("owner", p.owner());
    }
    if (p.expires()) {
      n.put("expiresAt", p.expiresAtMillis());
    }
    if (p.holdObject() != null) {
      n.put("holdObject", p.holdObject());
    }
    if (!p.history()) {
      if (p.state().seq() != p.version()) {
        throw IsleException.internal(
            "pin of version " + p.version() + " with the state of " + p.state().seq());
      }
      putState(n.putObject("state"), p.state());
    }
    return ChecksummedJson.encode(n);
  }

  /**
   * Decodes a pin object. A pin without a {@code kind} (written before pins had kinds) is a history
   * pin: that keeps at least as much as it kept when it was written. A pin without {@code owner} or
   * {@code expiresAt} has no owner and never expires.
   */
  public static Pin decodePin(String objectName, byte[] data) {
    JsonNode n = JsonHeader.decode(objectName, data, "pin");
    JsonNode kind = n.get("kind");
    long version = num(objectName, n, "version");
    ManifestState state;
    if (kind == null || kind.isNull() || PIN_HISTORY.equals(kind.asText())) {
      state = null;
    } else if (PIN_VERSION.equals(kind.asText())) {
      state = stateFrom(objectName, version, n, field(objectName, n, "state"));
    } else {
      throw new CorruptionException(
          "manifest object " + objectName + " has an unknown pin kind '" + kind.asText() + "'");
    }
    long expiresAt = n.has("expiresAt") ? num(objectName, n, "expiresAt") : Pin.NEVER;
    if (expiresAt == Pin.NEVER && n.has("expiresAt")) {
      throw new CorruptionException(
          "manifest object " + objectName + " has an expiresAt out of range: " + expiresAt);
    }
    return new Pin(
        str(objectName, n, "name"),
        version,
        num(objectName, n, "time"),
        state,
        JsonFields.optionalStr(objectName, n, "owner"),
        expiresAt,
        holdObject(objectName, n));
  }

  private static String holdObject(String objectName, JsonNode n) {
    String hold = JsonFields.optionalStr(objectName, n, "holdObject");
    if (hold != null && !hold.startsWith(ManifestPaths.PIN_HOLD_DIR)) {
      throw new CorruptionException(
          "manifest object " + objectName + " has a holdObject outside pin-holds/: " + hold);
    }
    return hold;
  }
}
