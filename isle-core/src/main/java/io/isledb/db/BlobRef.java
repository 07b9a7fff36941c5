package io.isledb.db;

import io.isledb.CorruptionException;
import io.isledb.manifest.ManifestPaths;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A reference from an SST entry (kinds BLOB and BLOB_EXPIRING) to a value stored as a separate
 * object. Persisted in SST values (docs/FORMAT.md, "Blob references"):
 *
 * <pre>
 *   byte  0       format, always 1
 *   bytes 1..32   SHA-256 of the value
 *   bytes 33..40  uniquifier (big-endian), chosen by the uploader
 *   bytes 41..48  value length (big-endian)
 * </pre>
 *
 * The object is {@code blobs/<2 hex>/<sha256 hex>-<uniquifier hex>.blob} and holds the raw value.
 * Readers verify length and SHA-256. The uniquifier makes every upload a new object, so garbage
 * collection never races a writer re-using an object it is deleting (docs/PROTOCOL.md).
 */
@Internal
public record BlobRef(byte[] sha256, long uniquifier, long length) {
  /** Persisted: the encoded size and format byte. Never change. */
  public static final int ENCODED_SIZE = 49;

  static final byte FORMAT = 1;

  /** The blob's name (object name without directory and suffix). */
  public String name() {
    return Bytes.hex(sha256) + "-" + String.format("%016x", uniquifier);
  }

  /** The object name relative to the database prefix. */
  public String objectName() {
    return ManifestPaths.blob(name());
  }

  /** The persisted encoding. */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(ENCODED_SIZE);
    b.put(FORMAT).put(sha256).putLong(uniquifier).putLong(length);
    return b.array();
  }

  /** Decodes a reference stored in table {@code where}. */
  public static BlobRef decode(byte[] v, String where) {
    if (v.length != ENCODED_SIZE || v[0] != FORMAT) {
      throw new CorruptionException(
          "malformed blob reference (" + v.length + " bytes) in " + where);
    }
    ByteBuffer b = ByteBuffer.wrap(v, 1, ENCODED_SIZE - 1);
    byte[] sha = new byte[32];
    b.get(sha);
    long uniq = b.getLong();
    long len = b.getLong();
    if (len < 0) {
      throw new CorruptionException("blob reference with negative length in " + where);
    }
    return new BlobRef(sha, uniq, len);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlobRef r
        && Arrays.equals(sha256, r.sha256)
        && uniquifier == r.uniquifier
        && length == r.length;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sha256) ^ Long.hashCode(uniquifier);
  }
}
