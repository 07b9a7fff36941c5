package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.SstHandle;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leases and SST handles are decoded as strictly as every other manifest object (one header check,
 * {@link JsonHeader}; strict fields, {@link JsonFields}). Before, a lease without {@code objects}
 * decoded as covering nothing, a number in {@code objects} as its text, and a handle without a
 * lease as lease "": GC would have read a damaged lease as protecting less than it names.
 */
class StrictJsonDecodingTest {
  private static ObjectNode lease() {
    return (ObjectNode)
        ChecksummedJson.decode(
            "l", new Lease("compactor-1", 1, 0, List.of("sstable/x/y.sst")).encode());
  }

  @Test
  void aLeaseWithoutObjectsOrWithNonStringObjectsIsCorruption() {
    ObjectNode n = lease();
    n.remove("objects");
    assertThatThrownBy(() -> Lease.decode("manifest/leases/compactor-1.json", encode(n)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("manifest/leases/compactor-1.json")
        .hasMessageContaining("'objects'");
    ObjectNode m = lease();
    m.putArray("objects").add(12).add(true);
    assertThatThrownBy(() -> Lease.decode("manifest/leases/compactor-1.json", encode(m)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("string array");
    ObjectNode t = lease();
    t.put("refresh", "1");
    assertThatThrownBy(() -> Lease.decode("manifest/leases/compactor-1.json", encode(t)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("'refresh'");
  }

  @Test
  void aHandleWithoutItsLeaseOrTableIsCorruption() {
    SstMeta meta =
        new SstMeta(
            String.format("%032x", 1),
            1,
            0,
            new byte[0],
            new byte[0],
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0);
    byte[] good = SstHandleCodec.of(meta, Lease.objectName("sstwriter-1")).toBytes();
    for (String field : List.of("lease", "table", "format", "type")) {
      ObjectNode n = (ObjectNode) ChecksummedJson.decode("h", good);
      n.remove(field);
      assertThatThrownBy(() -> SstHandle.fromBytes(encode(n)))
          .as(field)
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("'" + field + "'");
    }
  }

  @Test
  void aFormatBelowOneIsCorruption() {
    ObjectNode n = lease();
    n.put("format", 0);
    assertThatThrownBy(() -> Lease.decode("l", encode(n)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("format version 0");
  }

  private static byte[] encode(ObjectNode n) {
    return ChecksummedJson.encode(n);
  }
}
