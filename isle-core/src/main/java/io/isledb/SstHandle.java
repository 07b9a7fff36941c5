package io.isledb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.manifest.ChecksummedJson;
import io.isledb.manifest.JsonFields;
import io.isledb.manifest.JsonHeader;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.SstMeta;
import java.util.Objects;

/**
 * An uploaded, not yet committed table built by an {@link SstWriter}: small, immutable and
 * serializable ({@link #toBytes()} / {@link #fromBytes}) so producers can ship it to a committer
 * (for example in Flink committables).
 */
public final class SstHandle {
  /** Persisted: the {@code type} of a serialized handle. */
  private static final String TYPE = "sst-handle";

  /** How errors name a handle (it has no object name). */
  private static final String NAME = "sst handle";

  private final SstMeta meta;
  private final String lease;

  /** For the engine: wraps table metadata and the lease that protects its uploads. */
  public SstHandle(SstMeta meta, String lease) {
    this.meta = Objects.requireNonNull(meta, "meta");
    this.lease = Objects.requireNonNull(lease, "lease");
  }

  /** The table's id. */
  public String tableId() {
    return meta.id();
  }

  /** The table's size in bytes. */
  public long sizeBytes() {
    return meta.size();
  }

  /** Entries in the table. */
  public long entryCount() {
    return meta.entries();
  }

  /** For the engine: the table's metadata. */
  public SstMeta meta() {
    return meta;
  }

  /** For the engine: the lease object protecting the upload. */
  public String lease() {
    return lease;
  }

  /** A self-checking serialized form. */
  public byte[] toBytes() {
    ObjectNode n = JsonHeader.start(TYPE);
    n.put("lease", lease);
    n.set("table", ManifestCodec.tableToJson(meta));
    return ChecksummedJson.encode(n);
  }

  /** Reads what {@link #toBytes()} wrote. */
  public static SstHandle fromBytes(byte[] data) {
    JsonNode n = ChecksummedJson.decode(NAME, data);
    JsonHeader.check(NAME, n, TYPE);
    return new SstHandle(
        ManifestCodec.tableFromJson(NAME, JsonFields.field(NAME, n, "table")),
        JsonFields.str(NAME, n, "lease"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SstHandle h && meta.equals(h.meta) && lease.equals(h.lease);
  }

  @Override
  public int hashCode() {
    return meta.hashCode();
  }

  @Override
  public String toString() {
    return "SstHandle[" + meta + "]";
  }
}
