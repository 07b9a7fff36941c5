package io.isledb.db;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.util.Internal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Uploads and reads blob values. Thread-safe. */
@Internal
public final class Blobs {
  private final ObjectStore store;

  private final Homes homes;

  public Blobs(ObjectStore store) {
    this.store = store;
    this.homes = new Homes(store);
  }

  public static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      throw IsleException.internal("SHA-256 is required by the JDK", e);
    }
  }

  /** Uploads {@code value} as a new blob object. */
  public BlobRef upload(byte[] value, byte[] sha, Supplier<byte[]> idSource) {
    return upload(value, sha, idSource, name -> {});
  }

  /**
   * Uploads {@code value} as a new blob object, telling {@code beforeUpload} its object name first.
   */
  public BlobRef upload(
      byte[] value,
      byte[] sha,
      Supplier<byte[]> idSource,
      java.util.function.Consumer<String> beforeUpload) {
    return upload(value, sha, uniquifier(idSource.get()), beforeUpload);
  }

  /**
   * Uploads {@code value} as the blob with {@code uniquifier}, which the caller makes unique per
   * upload (an external SST writer counts under a prefix its lease declares), telling {@code
   * beforeUpload} its object name first.
   */
  public BlobRef upload(
      byte[] value, byte[] sha, long uniquifier, java.util.function.Consumer<String> beforeUpload) {
    BlobRef ref = new BlobRef(sha, uniquifier, value.length);
    beforeUpload.accept(ref.objectName());
    store.put(ref.objectName(), value);
    return ref;
  }

  /** The first 8 bytes of {@code id}, big-endian. */
  public static long uniquifier(byte[] id) {
    long uniq = 0;
    for (int i = 0; i < 8; i++) {
      uniq = (uniq << 8) | (id[i] & 0xff);
    }
    return uniq;
  }

  /** Reads and verifies the blob behind {@code ref}, referenced from {@code where}. */
  public byte[] read(BlobRef ref, String where) {
    return read(ref, where, null);
  }

  /**
   * Like {@link #read(BlobRef, String)} for a blob referenced by a table of {@code home} (null:
   * this database; a fork's borrowed table: its home prefix, whose {@code blobs/} hold it).
   */
  public byte[] read(BlobRef ref, String where, String home) {
    byte[] v =
        homes
            .of(home)
            .get(ref.objectName())
            .orElseThrow(
                () ->
                    new CorruptionException(
                        "blob " + ref.objectName() + " referenced by " + where + " is missing"));
    if (v.length != ref.length() || !Arrays.equals(sha256(v), ref.sha256())) {
      throw new CorruptionException(
          "blob "
              + ref.objectName()
              + " referenced by "
              + where
              + " failed verification ("
              + v.length
              + " bytes, expected "
              + ref.length()
              + ")");
    }
    return v;
  }

  /**
   * Remembers blobs uploaded recently so identical values are stored once. A remembered blob is
   * only reused while young enough that GC cannot have collected it before the reusing flush
   * commits (a quarter of the grace period).
   */
  public static final class RecentUploads {
    private record Uploaded(BlobRef ref, long atMillis) {}

    private final Map<String, Uploaded> recent =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Uploaded> e) {
            return size() > 4096;
          }
        };
    private final long maxAgeMillis;

    public RecentUploads(long maxAgeMillis) {
      this.maxAgeMillis = maxAgeMillis;
    }

    public synchronized BlobRef find(byte[] sha, long length, long nowMillis) {
      Uploaded u = recent.get(io.isledb.util.Bytes.hex(sha));
      if (u == null || u.ref.length() != length || nowMillis - u.atMillis > maxAgeMillis) {
        return null;
      }
      return u.ref;
    }

    public synchronized void remember(BlobRef ref, long atMillis) {
      recent.put(io.isledb.util.Bytes.hex(ref.sha256()), new Uploaded(ref, atMillis));
    }
  }
}
