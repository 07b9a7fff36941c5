package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.util.Internal;

/**
 * What an entry of an SST holds. The ids are persisted in the low byte of every internal key's
 * trailer: <b>never change them</b>; new kinds get new ids.
 */
@Internal
public enum ValueKind {
  /** A tombstone: the key was deleted at this sequence number. The value is empty. */
  DELETE(0),
  /** A value stored inline. */
  PUT(1),
  /** A value stored inline that expires at {@link Entry#expiresAtMillis()}. */
  PUT_EXPIRING(2),
  /** A reference to a value kept in a blob object; the value is the engine's opaque reference. */
  BLOB(3),
  /** A blob reference that expires at {@link Entry#expiresAtMillis()}. */
  BLOB_EXPIRING(4),
  /**
   * An append operand: the key's value is its newest PUT (nothing after a DELETE or expiry)
   * followed by the bytes of every newer operand in sequence order. Always inline, never expires.
   * Added in format 1.1: a reader that predates it fails with CORRUPTION "unknown value kind id 5".
   */
  APPEND(5);

  private static final ValueKind[] BY_ID = new ValueKind[256];

  static {
    for (ValueKind k : values()) {
      BY_ID[k.id] = k;
    }
  }

  private final byte id;

  ValueKind(int id) {
    this.id = (byte) id;
  }

  /** The persisted id. */
  public byte id() {
    return id;
  }

  /**
   * The kind with persisted id {@code id}.
   *
   * @throws CorruptionException if no kind has that id
   */
  public static ValueKind fromId(int id) {
    ValueKind k = byIdOrNull(id);
    if (k == null) {
      throw new CorruptionException("unknown value kind id " + id);
    }
    return k;
  }

  /** The kind with persisted id {@code id}, or null. */
  static ValueKind byIdOrNull(int id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
  }

  /** Whether this kind deletes the key. */
  public boolean isTombstone() {
    return this == DELETE;
  }

  /** Whether entries of this kind carry an expiry time. */
  public boolean hasExpiry() {
    return this == PUT_EXPIRING || this == BLOB_EXPIRING;
  }

  /** Whether this kind is an append operand, resolved against the key's older versions. */
  public boolean isAppend() {
    return this == APPEND;
  }

  /** Whether the value is a blob reference rather than the value itself. */
  public boolean isBlob() {
    return this == BLOB || this == BLOB_EXPIRING;
  }
}
