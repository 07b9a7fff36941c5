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
    }
  }

  static List<SstMeta> tables(String name, JsonNode arr) {
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
              num(name, o, "blobRefs")));
    }
    return out;
  }
}
