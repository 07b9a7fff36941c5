package io.isledb.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;

/**
 * The header every persisted JSON object starts with: {@code {"format":N,"type":"..."}}
 * (docs/FORMAT.md, "Manifest objects"). Every codec writes it with {@link #start} and checks it
 * with {@link #check} (or reads it with {@link #decode}), so the header's bytes and its reading
 * rule are the same for log edits, snapshots, CURRENT, settings, pins, leases, GC state and SST
 * handles.
 */
final class JsonHeader {
  /**
   * Persisted: the format version of every object that needs nothing newer, and the newest version
   * of every type but edits, snapshots and pins.
   */
  public static final int FORMAT_VERSION = 1;

  /**
   * Persisted: the format version of edits, snapshots and version pins that carry commit users or
   * table properties (docs/FORMAT.md, "Format 2"). Objects without them are still written as format
   * 1, byte for byte as before, so an older build keeps reading a database that does not use them.
   */
  public static final int COMMITS_FORMAT_VERSION = 2;

  /**
   * Persisted: the format version of a {@code compact} edit that dropped deletions and expired
   * entries ({@code "bottommost":true}, docs/FORMAT.md, "Format 3"). A format 2 build would ignore
   * the flag and replay such an edit where this build refuses it, so it must refuse the object
   * instead. Every other edit keeps its format 1 or 2 bytes.
   */
  public static final int BOTTOMMOST_FORMAT_VERSION = 3;

  /**
   * Persisted: the format version of edits, snapshots and version pins of a fork: table records
   * with a {@code home} or a clip, a state with {@code sources}, or a {@code fork} change
   * (docs/FORMAT.md, "Format 4"). An older build would read a borrowed table in its own prefix and
   * unclipped, so it must refuse the object instead. Every other object keeps its bytes.
   */
  public static final int FORK_FORMAT_VERSION = 4;

  private JsonHeader() {}

  /** A new object holding only the header for {@code type}; the caller adds its fields after it. */
  public static ObjectNode start(String type) {
    return start(type, FORMAT_VERSION);
  }

  /** Like {@link #start(String)}, with the format version {@code version}. */
  public static ObjectNode start(String type, int version) {
    ObjectNode n = ChecksummedJson.object();
    n.put("format", version);
    n.put("type", type);
    return n;
  }

  /**
   * Decodes the checksummed object read from {@code name} and checks its header against {@code
   * expected}: the one way every codec reads a persisted JSON object.
   */
  public static JsonNode decode(String name, byte[] data, String expected) {
    JsonNode n = ChecksummedJson.decode(name, data);
    check(name, n, expected);
    return n;
  }

  /**
   * Checks the header of the object read from {@code name}: an integer {@code format} from 1 to
   * {@link #FORMAT_VERSION} and the {@code type} {@code expected}.
   *
   * @throws CorruptionException naming the object and the field otherwise: a newer format (written
   *     by a newer IsleDB), a missing or mistyped field, or another type
   */
  public static void check(String name, JsonNode n, String expected) {
    long format = JsonFields.num(name, n, "format");
    int newest = newest(expected);
    if (format < 1 || format > newest) {
      throw new CorruptionException(
          "manifest object "
              + name
              + " has format version "
              + format
              + "; this build reads "
              + newest);
    }
    String type = JsonFields.str(name, n, "type");
    if (!type.equals(expected)) {
      throw new CorruptionException(
          "manifest object " + name + " is a '" + type + "', expected '" + expected + "'");
    }
  }

  /** The newest format version this build reads for objects of {@code type}. */
  static int newest(String type) {
    return switch (type) {
      case "edit", "snapshot", "pin" -> FORK_FORMAT_VERSION;
      default -> FORMAT_VERSION;
    };
  }

  /**
   * Refuses {@code field} in an object of a format older than {@code since}: no author ever wrote
   * it there, and a build of that format would have ignored it.
   */
  static void requireFormat(String name, JsonNode n, int since, String field) {
    if (JsonFields.num(name, n, "format") < since) {
      throw new CorruptionException(
          "manifest object "
              + name
              + " has field '"
              + field
              + "', which format "
              + n.get("format").asLong()
              + " does not have");
    }
  }
}
