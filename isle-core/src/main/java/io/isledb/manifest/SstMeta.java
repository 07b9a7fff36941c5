package io.isledb.manifest;

import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the manifest records about one SST object. Persisted inside manifest edits and snapshots
 * (see docs/FORMAT.md, "Manifest objects").
 *
 * @param id 32 lower-case hex characters, unique per SST; the object name derives from it
 * @param size the object's size in bytes
 * @param tailOffset where the table's meta section (filter, properties, index, footer) starts, so a
 *     reader opens the table with exactly one ranged read
 * @param smallestKey smallest user key in the table
 * @param largestKey largest user key in the table
 * @param minSeq smallest sequence number stored in the table
 * @param maxSeq largest sequence number stored in the table
 * @param globalSeq 0, or the sequence number that every entry of an externally built table takes
 *     (assigned at commit so a later commit shadows an earlier one)
 * @param entries number of entries
 * @param tombstones number of deletions
 * @param expiring number of entries with an expiry (they are all expired once {@code maxExpiresAt}
 *     has passed)
 * @param minExpiresAt smallest expiry in epoch millis, 0 if no entry expires
 * @param maxExpiresAt largest expiry in epoch millis, 0 if no entry expires
 * @param minDataTime earliest write time of the data (epoch millis), used by retention
 * @param maxDataTime latest write time of the data (epoch millis), used by retention
 * @param createdAt when the table object was written (epoch millis)
 * @param blobRefs number of blob references in the table (0 lets GC skip it)
 */
@Internal
public record SstMeta(
    String id,
    long size,
    long tailOffset,
    byte[] smallestKey,
    byte[] largestKey,
    long minSeq,
    long maxSeq,
    long globalSeq,
    long entries,
    long tombstones,
    long expiring,
    long minExpiresAt,
    long maxExpiresAt,
    long minDataTime,
    long maxDataTime,
    long createdAt,
    long blobRefs) {

  public SstMeta {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(smallestKey, "smallestKey");
    Objects.requireNonNull(largestKey, "largestKey");
  }

  /** The object name of the table relative to the database prefix. */
  public String objectName() {
    return ManifestPaths.sst(id);
  }

  /** The sequence number readers see for entries of this table (the effective maximum). */
  public long effectiveMaxSeq() {
    return globalSeq != 0 ? globalSeq : maxSeq;
  }

  /** The smallest sequence number readers see for entries of this table. */
  public long effectiveMinSeq() {
    return globalSeq != 0 ? globalSeq : minSeq;
  }

  /** Whether {@code key} lies within [smallestKey, largestKey]. */
  public boolean covers(byte[] key) {
    return Bytes.compare(key, smallestKey) >= 0 && Bytes.compare(key, largestKey) <= 0;
  }

  /** This table with a commit-assigned global sequence number. */
  public SstMeta withGlobalSeq(long seq) {
    return new SstMeta(
        id,
        size,
        tailOffset,
        smallestKey,
        largestKey,
        minSeq,
        maxSeq,
        seq,
        entries,
        tombstones,
        expiring,
        minExpiresAt,
        maxExpiresAt,
        minDataTime,
        maxDataTime,
        createdAt,
        blobRefs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SstMeta m
        && id.equals(m.id)
        && size == m.size
        && tailOffset == m.tailOffset
        && Arrays.equals(smallestKey, m.smallestKey)
        && Arrays.equals(largestKey, m.largestKey)
        && minSeq == m.minSeq
        && maxSeq == m.maxSeq
        && globalSeq == m.globalSeq
        && entries == m.entries
        && tombstones == m.tombstones
        && expiring == m.expiring
        && minExpiresAt == m.minExpiresAt
        && maxExpiresAt == m.maxExpiresAt
        && minDataTime == m.minDataTime
        && maxDataTime == m.maxDataTime
        && createdAt == m.createdAt
        && blobRefs == m.blobRefs;
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SstMeta["
        + id
        + ", "
        + size
        + " bytes, seq "
        + minSeq
        + ".."
        + maxSeq
        + (globalSeq != 0 ? " as " + globalSeq : "")
        + ", "
        + entries
        + " entries]";
  }
}
