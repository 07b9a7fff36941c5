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
 * @param home null for a table of this database, or the prefix of the database that holds the table
 *     object and its blobs (a borrowed table of a fork, docs/PROTOCOL.md section 9)
 * @param clipFrom null, or the smallest key of the table visible here (inclusive)
 * @param clipTo null, or the end of the keys visible here (exclusive)
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
    long blobRefs,
    String home,
    byte[] clipFrom,
    byte[] clipTo) {

  public SstMeta {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(smallestKey, "smallestKey");
    Objects.requireNonNull(largestKey, "largestKey");
  }

  /** A table of this database, unclipped. */
  public SstMeta(
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
    this(
        id,
        size,
        tailOffset,
        smallestKey,
        largestKey,
        minSeq,
        maxSeq,
        globalSeq,
        entries,
        tombstones,
        expiring,
        minExpiresAt,
        maxExpiresAt,
        minDataTime,
        maxDataTime,
        createdAt,
        blobRefs,
        null,
        null,
        null);
  }

  /** Whether the table lives in another database (a fork's borrowed table). */
  public boolean borrowed() {
    return home != null;
  }

  /** Whether the table carries a clip (only a part of its keys is visible). */
  public boolean clipped() {
    return clipFrom != null || clipTo != null;
  }

  /** Whether {@code key} is inside the clip (always, for an unclipped table). */
  public boolean inClip(byte[] key) {
    return (clipFrom == null || Bytes.compare(key, clipFrom) >= 0)
        && (clipTo == null || Bytes.compare(key, clipTo) < 0);
  }

  /**
   * Whether the visible part of this table may hold keys of {@code [from, to)} (null: unbounded):
   * its key range intersected with its clip.
   */
  public boolean mayOverlap(byte[] from, byte[] to) {
    byte[] lo =
        clipFrom == null || Bytes.compare(smallestKey, clipFrom) >= 0 ? smallestKey : clipFrom;
    if (clipTo != null && Bytes.compare(lo, clipTo) >= 0) {
      return false;
    }
    if (to != null && Bytes.compare(lo, to) >= 0) {
      return false;
    }
    if (clipFrom != null && Bytes.compare(largestKey, clipFrom) < 0) {
      return false;
    }
    return from == null || Bytes.compare(largestKey, from) >= 0;
  }

  /**
   * This table as a fork sees it: living in {@code home} (unless it already lives elsewhere) and
   * clipped to the intersection of its clip and {@code [from, to)}.
   */
  public SstMeta borrowedAs(String home, byte[] from, byte[] to) {
    byte[] lo = clipFrom;
    if (from != null && (lo == null || Bytes.compare(from, lo) > 0)) {
      lo = from;
    }
    byte[] hi = clipTo;
    if (to != null && (hi == null || Bytes.compare(to, hi) < 0)) {
      hi = to;
    }
    // A clip end the table's keys lie inside of anyway is dropped: it would only cost comparisons.
    if (lo != null && Bytes.compare(lo, smallestKey) <= 0) {
      lo = null;
    }
    if (hi != null && Bytes.compare(hi, largestKey) > 0) {
      hi = null;
    }
    return with(globalSeq, this.home != null ? this.home : home, lo, hi);
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
    return with(seq, home, clipFrom, clipTo);
  }

  private SstMeta with(long gs, String h, byte[] from, byte[] to) {
    return new SstMeta(
        id,
        size,
        tailOffset,
        smallestKey,
        largestKey,
        minSeq,
        maxSeq,
        gs,
        entries,
        tombstones,
        expiring,
        minExpiresAt,
        maxExpiresAt,
        minDataTime,
        maxDataTime,
        createdAt,
        blobRefs,
        h,
        from,
        to);
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
        && blobRefs == m.blobRefs
        && Objects.equals(home, m.home)
        && Arrays.equals(clipFrom, m.clipFrom)
        && Arrays.equals(clipTo, m.clipTo);
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
        + " entries"
        + (home != null ? ", home " + home : "")
        + (clipped() ? ", clipped" : "")
        + "]";
  }
}
