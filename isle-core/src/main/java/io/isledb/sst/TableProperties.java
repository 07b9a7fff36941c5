package io.isledb.sst;

import io.isledb.util.Internal;
import java.util.Arrays;

/**
 * What a table holds, as recorded in its properties block and footer. Returned by {@link
 * TableBuilder#finish()} and {@link TableReader#properties()} (the two are equal for the same
 * file).
 *
 * <p>For an empty table ({@code entryCount == 0}) the keys are empty and the sequence and expiry
 * bounds are 0.
 *
 * @param formatVersion the file's format version (from the footer)
 * @param smallestKey the smallest user key
 * @param largestKey the largest user key
 * @param minSeq the smallest sequence number of any entry
 * @param maxSeq the largest sequence number of any entry
 * @param entryCount number of entries (all versions of all keys)
 * @param tombstoneCount entries of kind {@link ValueKind#DELETE}
 * @param minExpiresAtMillis smallest expiry of any expiring entry; 0 if none expires
 * @param maxExpiresAtMillis largest expiry of any expiring entry; 0 if none expires
 * @param minDataTimeMillis from {@link TableOptions#minDataTimeMillis()}
 * @param maxDataTimeMillis from {@link TableOptions#maxDataTimeMillis()}
 * @param creationTimeMillis from {@link TableOptions#creationTimeMillis()}
 * @param fileSize the file's length in bytes (not stored: the length of the file as written/read)
 * @param rawKeyBytes sum of the user key lengths of all entries
 * @param rawValueBytes sum of the value lengths of all entries (without the encoded expiry)
 * @param expiringCount entries of kinds with {@link ValueKind#hasExpiry()}
 * @param blobCount entries of kinds with {@link ValueKind#isBlob()}
 * @param dataBlockCount number of data blocks
 * @param dataSize bytes of data blocks, trailers included (the offset of the filter block)
 * @param indexSize stored bytes of the index block, trailer excluded
 * @param filterSize bytes of the filter block, trailer excluded
 * @param compression the codec the writer tried on each block (blocks that did not compress well
 *     enough are stored uncompressed)
 * @param blockSize the writer's target data block size
 * @param restartInterval the writer's data block restart interval
 * @param bloomBitsPerKey the writer's bloom bits per key (0 = no filter)
 * @param seqIsOrdinal whether the table is marked (optional property {@code seq-is-ordinal}) as
 *     holding sequence numbers 1..entryCount in key order: an entry's place in the table is its
 *     sequence number minus 1, without counting the entries before it
 */
@Internal
public record TableProperties(
    int formatVersion,
    byte[] smallestKey,
    byte[] largestKey,
    long minSeq,
    long maxSeq,
    long entryCount,
    long tombstoneCount,
    long minExpiresAtMillis,
    long maxExpiresAtMillis,
    long minDataTimeMillis,
    long maxDataTimeMillis,
    long creationTimeMillis,
    long fileSize,
    long rawKeyBytes,
    long rawValueBytes,
    long expiringCount,
    long blobCount,
    long dataBlockCount,
    long dataSize,
    long indexSize,
    long filterSize,
    Compression compression,
    int blockSize,
    int restartInterval,
    int bloomBitsPerKey,
    boolean seqIsOrdinal) {

  @Override
  public boolean equals(Object o) {
    return o instanceof TableProperties p
        && formatVersion == p.formatVersion
        && Arrays.equals(smallestKey, p.smallestKey)
        && Arrays.equals(largestKey, p.largestKey)
        && minSeq == p.minSeq
        && maxSeq == p.maxSeq
        && entryCount == p.entryCount
        && tombstoneCount == p.tombstoneCount
        && minExpiresAtMillis == p.minExpiresAtMillis
        && maxExpiresAtMillis == p.maxExpiresAtMillis
        && minDataTimeMillis == p.minDataTimeMillis
        && maxDataTimeMillis == p.maxDataTimeMillis
        && creationTimeMillis == p.creationTimeMillis
        && fileSize == p.fileSize
        && rawKeyBytes == p.rawKeyBytes
        && rawValueBytes == p.rawValueBytes
        && expiringCount == p.expiringCount
        && blobCount == p.blobCount
        && dataBlockCount == p.dataBlockCount
        && dataSize == p.dataSize
        && indexSize == p.indexSize
        && filterSize == p.filterSize
        && compression == p.compression
        && blockSize == p.blockSize
        && restartInterval == p.restartInterval
        && bloomBitsPerKey == p.bloomBitsPerKey
        && seqIsOrdinal == p.seqIsOrdinal;
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(smallestKey);
    h = 31 * h + Arrays.hashCode(largestKey);
    h = 31 * h + Long.hashCode(maxSeq);
    h = 31 * h + Long.hashCode(entryCount);
    return 31 * h + Long.hashCode(fileSize);
  }

  @Override
  public String toString() {
    return "TableProperties[formatVersion="
        + formatVersion
        + ", smallestKey="
        + Keys.describe(smallestKey)
        + ", largestKey="
        + Keys.describe(largestKey)
        + ", seq=["
        + minSeq
        + ", "
        + maxSeq
        + "], entries="
        + entryCount
        + ", tombstones="
        + tombstoneCount
        + ", expiring="
        + expiringCount
        + ", blobs="
        + blobCount
        + ", expiresAt=["
        + minExpiresAtMillis
        + ", "
        + maxExpiresAtMillis
        + "], dataTime=["
        + minDataTimeMillis
        + ", "
        + maxDataTimeMillis
        + "], created="
        + creationTimeMillis
        + ", fileSize="
        + fileSize
        + ", rawKeyBytes="
        + rawKeyBytes
        + ", rawValueBytes="
        + rawValueBytes
        + ", dataBlocks="
        + dataBlockCount
        + ", dataSize="
        + dataSize
        + ", indexSize="
        + indexSize
        + ", filterSize="
        + filterSize
        + ", compression="
        + compression
        + ", blockSize="
        + blockSize
        + ", restartInterval="
        + restartInterval
        + ", bloomBitsPerKey="
        + bloomBitsPerKey
        + (seqIsOrdinal ? ", seqIsOrdinal" : "")
        + "]";
  }
}
