package io.isledb.flink.connector.source;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One entry an {@link IsleSource} reads, handed to an {@link IsleRecordDeserializer}: a row of the
 * snapshot the source started from, or a change committed after it.
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters) so that {@link
 * IsleRecordDeserializer#bytes()} can emit it as is; a deserializer must not keep a record it was
 * given beyond the call, nor change it.
 *
 * <p>A change carries its commit time ({@link #getCommitTimeMillis()}): the clock of the process
 * that committed its version, so it is not a global order (versions are). Snapshot rows carry none
 * (0): a version's rows were written by many commits.
 */
public final class IsleRecord {
  /** What an entry is. */
  public enum Kind {
    /** A row of the version the source read in full (bounded scan, or the start of 'full'). */
    SNAPSHOT,
    /** A put committed after that version (an insert or an update of the key). */
    PUT,
    /** A delete committed after that version; the value is null. */
    DELETE
  }

  private Kind kind;
  private byte[] key;
  private byte[] value;
  private long version;
  private long expiresAtMillis;
  private long commitTimeMillis;

  /** For Flink's POJO serializer. */
  public IsleRecord() {}

  /**
   * @param kind snapshot row, put or delete
   * @param key the key
   * @param value the value, null for a delete
   * @param version the version read (snapshot rows) or that committed the change
   * @param expiresAtMillis when a put with a time to live expires (epoch millis), 0 for none or
   *     unknown (snapshot rows do not carry it)
   */
  public IsleRecord(Kind kind, byte[] key, byte[] value, long version, long expiresAtMillis) {
    this(kind, key, value, version, expiresAtMillis, 0);
  }

  /**
   * @param kind snapshot row, put or delete
   * @param key the key
   * @param value the value, null for a delete
   * @param version the version read (snapshot rows) or that committed the change
   * @param expiresAtMillis when a put with a time to live expires (epoch millis), 0 for none or
   *     unknown (snapshot rows do not carry it)
   * @param commitTimeMillis when the change's version was committed (epoch millis, the committing
   *     process's clock), 0 if unknown (snapshot rows)
   */
  public IsleRecord(
      Kind kind,
      byte[] key,
      byte[] value,
      long version,
      long expiresAtMillis,
      long commitTimeMillis) {
    this.commitTimeMillis = commitTimeMillis;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = Objects.requireNonNull(key, "key");
    this.value = value;
    this.version = version;
    this.expiresAtMillis = expiresAtMillis;
  }

  public Kind getKind() {
    return kind;
  }

  public void setKind(Kind kind) {
    this.kind = kind;
  }

  public byte[] getKey() {
    return key;
  }

  public void setKey(byte[] key) {
    this.key = key;
  }

  /** The value; null for a {@link Kind#DELETE}. */
  public byte[] getValue() {
    return value;
  }

  public void setValue(byte[] value) {
    this.value = value;
  }

  /** The version read (snapshot rows) or the version that committed the change. */
  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  /** Expiry of a put with a time to live (epoch millis), 0 for none or unknown. */
  public long getExpiresAtMillis() {
    return expiresAtMillis;
  }

  public void setExpiresAtMillis(long expiresAtMillis) {
    this.expiresAtMillis = expiresAtMillis;
  }

  /**
   * When the change's version was committed (epoch millis): the committing process's clock as
   * recorded in the manifest, so not a global order (versions are); 0 if unknown (snapshot rows).
   */
  public long getCommitTimeMillis() {
    return commitTimeMillis;
  }

  public void setCommitTimeMillis(long commitTimeMillis) {
    this.commitTimeMillis = commitTimeMillis;
  }

  /** Whether this is a delete (the table layer emits it as -D). */
  public boolean isDelete() {
    return kind == Kind.DELETE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IsleRecord r
        && kind == r.kind
        && version == r.version
        && expiresAtMillis == r.expiresAtMillis
        && commitTimeMillis == r.commitTimeMillis
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, version, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return kind
        + " "
        + (key == null ? "null" : HexFormat.of().formatHex(key))
        + " @"
        + version
        + (value == null ? "" : " (" + value.length + " value bytes)");
  }
}
