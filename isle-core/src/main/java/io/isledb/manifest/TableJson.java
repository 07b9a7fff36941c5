package io.isledb.manifest;

import static io.isledb.manifest.JsonFields.array;
import static io.isledb.manifest.JsonFields.num;
import static io.isledb.manifest.JsonFields.str;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Table metadata ({@link SstMeta}) as JSON, the form inside manifest edits, snapshots, pins and sst
 * handles (docs/FORMAT.md). Field names are persisted: never rename them. Decoding is strict.
 */
final class TableJson {
  private TableJson() {}

  /** One table as JSON (the form used inside edits and snapshots). */
  public static ObjectNode tableToJson(SstMeta t) {
    ObjectNode holder = ChecksummedJson.object();
    tables(holder.putArray("t"), List.of(t));
    return (ObjectNode) holder.get("t").get(0);
  }

  /** Reads what {@link #tableToJson} wrote. */
  public static SstMeta tableFromJson(String name, JsonNode n) {
    ArrayNode a = ChecksummedJson.object().putArray("t");
    a.add(n);
    return tables(name, a).get(0);
  }

  static void tables(ArrayNode out, List<SstMeta> tables) {
    Base64.Encoder b64 = Base64.getEncoder();
    for (SstMeta t : tables) {
      ObjectNode o = out.addObject();
      o.put("id", t.id());
      o.put("size", t.size());
      o.put("tailOffset", t.tailOffset());
      o.put("smallest", b64.encodeToString(t.smallestKey()));
      o.put("largest", b64.encodeToString(t.largestKey()));
      o.put("minSeq", t.minSeq());
      o.put("maxSeq", t.maxSeq());
      o.put("globalSeq", t.globalSeq());
      o.put("entries", t.entries());
      o.put("tombstones", t.tombstones());
      o.put("expiring", t.expiring());
      o.put("minExpiresAt", t.minExpiresAt());
      o.put("maxExpiresAt", t.maxExpiresAt());
      o.put("minDataTime", t.minDataTime());
      o.put("maxDataTime", t.maxDataTime());
      o.put("createdAt", t.createdAt());
      o.put("blobRefs", t.blobRefs());
      // Format 4 (a fork's borrowed tables): written only when set, so other tables keep their
      // bytes.
      if (t.home() != null) {
        o.put(HOME, t.home());
      }
      if (t.clipFrom() != null) {
        o.put(CLIP_FROM, b64.encodeToString(t.clipFrom()));
      }
      if (t.clipTo() != null) {
        o.put(CLIP_TO, b64.encodeToString(t.clipTo()));
      }
    }
  }

  static final String HOME = "home";
  static final String CLIP_FROM = "clipFrom";
  static final String CLIP_TO = "clipTo";

  /** Tables of an object that cannot hold borrowed tables (format 4 fields are corruption). */
  static List<SstMeta> tables(String name, JsonNode arr) {
    return tables(name, null, arr);
  }

  /**
   * Tables of the object {@code root}: the format 4 fields ({@code home}, {@code clipFrom}, {@code
   * clipTo}) are refused in an older format, and anywhere when {@code root} is null.
   */
  static List<SstMeta> tables(String name, JsonNode root, JsonNode arr) {
    Base64.Decoder b64 = Base64.getDecoder();
    List<SstMeta> out = new ArrayList<>();
    for (JsonNode o : array(name, arr)) {
      String id = str(name, o, "id");
      if (!id.matches("[0-9a-f]{32}")) {
        throw new CorruptionException(
            "manifest object " + name + " has a malformed table id '" + id + "'");
      }
      byte[] smallest;
      byte[] largest;
      try {
        smallest = b64.decode(str(name, o, "smallest"));
        largest = b64.decode(str(name, o, "largest"));
      } catch (IllegalArgumentException e) {
        throw new CorruptionException(
            "manifest object " + name + ": table " + id + " has malformed keys", e);
      }
      out.add(
          new SstMeta(
              id,
              num(name, o, "size"),
              num(name, o, "tailOffset"),
              smallest,
              largest,
              num(name, o, "minSeq"),
              num(name, o, "maxSeq"),
              num(name, o, "globalSeq"),
              num(name, o, "entries"),
              num(name, o, "tombstones"),
              num(name, o, "expiring"),
              num(name, o, "minExpiresAt"),
              num(name, o, "maxExpiresAt"),
              num(name, o, "minDataTime"),
              num(name, o, "maxDataTime"),
              num(name, o, "createdAt"),
              num(name, o, "blobRefs"),
              borrowField(name, root, o, HOME) ? str(name, o, HOME) : null,
              borrowField(name, root, o, CLIP_FROM) ? key(name, o, CLIP_FROM) : null,
              borrowField(name, root, o, CLIP_TO) ? key(name, o, CLIP_TO) : null));
    }
    return out;
  }

  private static boolean borrowField(String name, JsonNode root, JsonNode o, String field) {
    if (!o.has(field)) {
      return false;
    }
    if (root == null) {
      throw new CorruptionException(
          "manifest object " + name + " has a table with field '" + field + "', not allowed here");
    }
    JsonHeader.requireFormat(name, root, JsonHeader.FORK_FORMAT_VERSION, field);
    return true;
  }

  private static byte[] key(String name, JsonNode o, String field) {
    try {
      return Base64.getDecoder().decode(str(name, o, field));
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(
          "manifest object " + name + ": table field '" + field + "' is not Base64", e);
    }
  }
}
