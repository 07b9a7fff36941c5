package io.isledb.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.util.Internal;
import java.util.Objects;

/**
 * For the engine: the one implementation of the public {@link SstHandle} and its serialized form.
 * The public type shows only id, size and entry count; the engine reaches the table's metadata and
 * the lease protecting its upload through {@link #meta} and {@link #lease}.
 *
 * <p>Persisted (docs/FORMAT.md, "SST handle"): a {@link ChecksummedJson} object with the {@link
 * JsonHeader} of type {@code sst-handle}, the field {@code lease} (the lease object's name) and the
 * field {@code table} (the table as in manifest edits). Golden file: {@code
 * golden/sst-handle-v1.json}.
 */
@Internal
public final class SstHandleCodec {
  /** Persisted: the {@code type} of a serialized handle. */
  private static final String TYPE = "sst-handle";

  /** How errors name a handle (it has no object name). */
  private static final String NAME = "sst handle";

  private SstHandleCodec() {}

  /** A handle of table {@code meta} whose upload the lease object {@code lease} protects. */
  public static SstHandle of(SstMeta meta, String lease) {
    return new Handle(meta, lease);
  }

  /**
   * The table metadata of {@code handle}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the handle was not made by the engine
   */
  public static SstMeta meta(SstHandle handle) {
    return own(handle).meta;
  }

  /**
   * The name of the lease object protecting {@code handle}'s upload.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the handle was not made by the engine
   */
  public static String lease(SstHandle handle) {
    return own(handle).lease;
  }

  /** Reads what {@link SstHandle#toBytes()} wrote; see {@link SstHandle#fromBytes}. */
  public static SstHandle decode(byte[] data) {
    Objects.requireNonNull(data, "data");
    JsonNode n = JsonHeader.decode(NAME, data, TYPE);
    return new Handle(
        TableJson.tableFromJson(NAME, JsonFields.field(NAME, n, "table")),
        JsonFields.str(NAME, n, "lease"));
  }

  private static Handle own(SstHandle handle) {
    Objects.requireNonNull(handle, "handle");
    if (handle instanceof Handle h) {
      return h;
    }
    // The engine trusts a handle's metadata (it is published as is); only its own
    // implementation carries metadata that was written by an SstWriter or checked by fromBytes.
    throw IsleException.invalidArgument(
        "SST handle of class "
            + handle.getClass().getName()
            + " was not made by SstWriter.finish() or SstHandle.fromBytes()");
  }

  private record Handle(SstMeta meta, String lease) implements SstHandle {
    Handle {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(lease, "lease");
    }

    @Override
    public String tableId() {
      return meta.id();
    }

    @Override
    public long sizeBytes() {
      return meta.size();
    }

    @Override
    public long entryCount() {
      return meta.entries();
    }

    @Override
    public byte[] toBytes() {
      ObjectNode n = JsonHeader.start(TYPE);
      n.put("lease", lease);
      n.set("table", TableJson.tableToJson(meta));
      return ChecksummedJson.encode(n);
    }

    @Override
    public String toString() {
      return "SstHandle[table="
          + meta.id()
          + ", size="
          + meta.size()
          + ", entries="
          + meta.entries()
          + "]";
    }
  }
}
