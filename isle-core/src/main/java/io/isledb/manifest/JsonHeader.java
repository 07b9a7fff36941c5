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
  /** Persisted: the format version this code writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  private JsonHeader() {}

  /** A new object holding only the header for {@code type}; the caller adds its fields after it. */
  public static ObjectNode start(String type) {
    ObjectNode n = ChecksummedJson.object();
    n.put("format", FORMAT_VERSION);
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
    if (format < 1 || format > FORMAT_VERSION) {
      throw new CorruptionException(
          "manifest object "
              + name
              + " has format version "
              + format
              + "; this build reads "
              + FORMAT_VERSION);
    }
    String type = JsonFields.str(name, n, "type");
    if (!type.equals(expected)) {
      throw new CorruptionException(
          "manifest object " + name + " is a '" + type + "', expected '" + expected + "'");
    }
  }
}
