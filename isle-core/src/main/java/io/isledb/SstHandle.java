package io.isledb;

import io.isledb.manifest.SstHandleCodec;

/**
 * An uploaded, not yet committed table built by an {@link SstWriter}: a small, immutable, opaque
 * value that producers ship to a committer (for example in Flink committables) as {@link
 * #toBytes()} and read back with {@link #fromBytes}.
 *
 * <p>The serialized form is versioned and self-checking (docs/FORMAT.md, "SST handle"): a damaged,
 * truncated or foreign byte string, or one written by a newer IsleDB, is refused when it is read,
 * never committed. Handles are values: two handles of the same table and lease are equal. Only
 * handles made by {@link SstWriter#finish()} or {@link #fromBytes} can be committed; the engine
 * refuses other implementations of this interface.
 */
public interface SstHandle {
  /** The table's id (32 lower-case hex characters, unique per table). */
  String tableId();

  /** The table's size in bytes. */
  long sizeBytes();

  /** Entries in the table (puts and deletions). */
  long entryCount();

  /** The versioned, checksummed serialized form; {@link #fromBytes} reads it back. */
  byte[] toBytes();

  /**
   * Reads what {@link #toBytes()} wrote.
   *
   * @throws NullPointerException if {@code data} is null
   * @throws CorruptionException naming what is wrong if {@code data} is not a whole, intact handle
   *     of a format version this build reads
   */
  static SstHandle fromBytes(byte[] data) {
    return SstHandleCodec.decode(data);
  }
}
