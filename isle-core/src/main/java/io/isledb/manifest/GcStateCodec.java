package io.isledb.manifest;

import static io.isledb.manifest.JsonFields.array;
import static io.isledb.manifest.JsonFields.num;
import static io.isledb.manifest.JsonFields.str;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Encodes and decodes the GC state objects (docs/FORMAT.md, "GC state"). Field names and type ids
 * are persisted: never rename them. Decoding is strict like every manifest codec (a missing or
 * mistyped field, a newer format or another type is corruption naming it); GC itself never decodes
 * these objects (it overwrites whatever is stored, whatever its format), the decoder serves
 * operators' tools and the golden tests.
 */
@Internal
public final class GcStateCodec {
  // Persisted type ids. Never change.
  static final String PENDING = "gc-pending";
  static final String CHECKPOINT = "gc-checkpoint";

  private GcStateCodec() {}

  /** Bytes of {@code manifest/gc/pending-sst/pending.json}: marks in name order. */
  public static byte[] encode(GcState.Pending p) {
    ObjectNode n = JsonHeader.start(PENDING);
    n.put("author", p.author());
    n.put("epoch", p.epoch());
    ArrayNode ms = n.putArray("marks");
    p.marks().forEach((name, since) -> ms.addObject().put("name", name).put("since", since));
    return ChecksummedJson.encode(n);
  }

  /** Decodes what {@link #encode(GcState.Pending)} wrote, read from {@code name}. */
  public static GcState.Pending decodePending(String name, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, PENDING);
    TreeMap<String, Long> marks = new TreeMap<>();
    for (JsonNode m : array(name, n, "marks")) {
      String object = str(name, m, "name");
      if (marks.put(object, num(name, m, "since")) != null) {
        throw new CorruptionException("manifest object " + name + " marks " + object + " twice");
      }
    }
    return new GcState.Pending(str(name, n, "author"), num(name, n, "epoch"), marks);
  }

  /** Bytes of {@code manifest/gc/checkpoint.json}. */
  public static byte[] encode(GcState.Checkpoint c) {
    ObjectNode n = JsonHeader.start(CHECKPOINT);
    n.put("author", c.author());
    n.put("epoch", c.epoch());
    n.put("time", c.timeMillis());
    n.put("version", c.version());
    n.put("base", c.base());
    ArrayNode ls = n.putArray("leases");
    for (GcState.LeaseSeen l : c.leases()) {
      ls.addObject()
          .put("name", l.name())
          .put("refresh", l.refresh())
          .put("since", l.sinceMillis())
          .put("ttlMillis", l.ttlMillis());
    }
    return ChecksummedJson.encode(n);
  }

  /** Decodes what {@link #encode(GcState.Checkpoint)} wrote, read from {@code name}. */
  public static GcState.Checkpoint decodeCheckpoint(String name, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, CHECKPOINT);
    List<GcState.LeaseSeen> leases = new ArrayList<>();
    for (JsonNode l : array(name, n, "leases")) {
      leases.add(
          new GcState.LeaseSeen(
              str(name, l, "name"),
              num(name, l, "refresh"),
              num(name, l, "since"),
              num(name, l, "ttlMillis")));
    }
    return new GcState.Checkpoint(
        str(name, n, "author"),
        num(name, n, "epoch"),
        num(name, n, "time"),
        num(name, n, "version"),
        num(name, n, "base"),
        leases);
  }
}
