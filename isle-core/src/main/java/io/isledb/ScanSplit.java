package io.isledb;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One key range of a version, made by {@link ReadView#splits(int)} so that several workers scan a
 * version in parallel: scanning {@code [fromInclusive, toExclusive)} of every split of one call on
 * a view of {@link #version()} returns each visible key exactly once. The first split is unbounded
 * below, the last unbounded above (a null bound), and consecutive splits meet exactly.
 *
 * <p>A split is plain data: {@link #encode()} gives a stable binary form (documented in
 * docs/FORMAT.md, "Scan splits") that {@link #decode(byte[])} reads back in any later release, so a
 * job can send splits to its workers and keep them in checkpoints.
 *
 * @param version the manifest version the split was computed from (open it with {@link
 *     Reader#openVersion(long)}, usually kept by a {@link IsleDB#pin version pin})
 * @param index this split's position among the splits of one call, from 0
 * @param fromInclusive the smallest key of the split, or null for unbounded below
 * @param toExclusive the first key after the split, or null for unbounded above
 * @param estimatedBytes the estimated table bytes in the range (from table metadata)
 * @param estimatedEntries the estimated table entries in the range, all versions of a key counted
 */
public record ScanSplit(
    long version,
    int index,
    byte[] fromInclusive,
    byte[] toExclusive,
    long estimatedBytes,
    long estimatedEntries) {

  /** The first byte of {@link #encode()}'s form; {@link #decode} refuses any other. */
  public static final byte ENCODING_VERSION = 1;

  private static final int FIXED_LENGTH = 1 + 8 + 4 + 8 + 8 + 1;

  public ScanSplit {
    if (version < 0 || index < 0 || estimatedBytes < 0 || estimatedEntries < 0) {
      throw IsleException.invalidArgument(
          "scan split needs version, index and estimates >= 0, got version "
              + version
              + ", index "
              + index
              + ", bytes "
              + estimatedBytes
              + ", entries "
              + estimatedEntries);
    }
    if (fromInclusive != null
        && toExclusive != null
        && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
      throw IsleException.invalidArgument(
          "scan split "
              + index
              + " has an empty range ["
              + HexFormat.of().formatHex(fromInclusive)
              + ", "
              + HexFormat.of().formatHex(toExclusive)
              + ")");
    }
    fromInclusive = fromInclusive == null ? null : fromInclusive.clone();
    toExclusive = toExclusive == null ? null : toExclusive.clone();
  }

  /** Whether {@code key} lies in this split's range. */
  public boolean contains(byte[] key) {
    return (fromInclusive == null || Arrays.compareUnsigned(key, fromInclusive) >= 0)
        && (toExclusive == null || Arrays.compareUnsigned(key, toExclusive) < 0);
  }

  @Override
  public byte[] fromInclusive() {
    return fromInclusive == null ? null : fromInclusive.clone();
  }

  @Override
  public byte[] toExclusive() {
    return toExclusive == null ? null : toExclusive.clone();
  }

  /**
   * The split's stable binary form (big-endian): encoding version (1 byte, {@value
   * #ENCODING_VERSION}), version (8), index (4), estimated bytes (8), estimated entries (8), flags
   * (1: bit 0 = lower bound present, bit 1 = upper bound present), then each present bound as a
   * 4-byte length and its bytes.
   */
  public byte[] encode() {
    int len = FIXED_LENGTH + bound(fromInclusive) + bound(toExclusive);
    ByteBuffer b = ByteBuffer.allocate(len);
    b.put(ENCODING_VERSION).putLong(version).putInt(index);
    b.putLong(estimatedBytes).putLong(estimatedEntries);
    b.put((byte) ((fromInclusive != null ? 1 : 0) | (toExclusive != null ? 2 : 0)));
    putBound(b, fromInclusive);
    putBound(b, toExclusive);
    return b.array();
  }

  private static int bound(byte[] key) {
    return key == null ? 0 : 4 + key.length;
  }

  private static void putBound(ByteBuffer b, byte[] key) {
    if (key != null) {
      b.putInt(key.length).put(key);
    }
  }

  /**
   * Reads {@link #encode()}'s form.
   *
   * @throws CorruptionException if the bytes are not a split of a known encoding version
   */
  public static ScanSplit decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < FIXED_LENGTH) {
      throw new CorruptionException(
          "scan split of " + bytes.length + " bytes is shorter than " + FIXED_LENGTH);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte encoding = b.get();
    if (encoding != ENCODING_VERSION) {
      throw new CorruptionException(
          "scan split has encoding version " + encoding + ", this build reads " + ENCODING_VERSION);
    }
    long version = b.getLong();
    int index = b.getInt();
    long estimatedBytes = b.getLong();
    long estimatedEntries = b.getLong();
    int flags = b.get();
    if ((flags & ~3) != 0) {
      throw new CorruptionException("scan split has unknown flags " + flags);
    }
    byte[] from = (flags & 1) != 0 ? getBound(b, "lower") : null;
    byte[] to = (flags & 2) != 0 ? getBound(b, "upper") : null;
    if (b.hasRemaining()) {
      throw new CorruptionException(
          "scan split has " + b.remaining() + " bytes after its upper bound");
    }
    try {
      return new ScanSplit(version, index, from, to, estimatedBytes, estimatedEntries);
    } catch (IsleException e) {
      throw new CorruptionException("scan split is invalid: " + e.getMessage(), e);
    }
  }

  private static byte[] getBound(ByteBuffer b, String which) {
    int len = b.remaining() >= 4 ? b.getInt() : -1;
    if (len < 0 || len > b.remaining()) {
      throw new CorruptionException(
          "scan split's " + which + " bound is truncated (" + b.remaining() + " bytes left)");
    }
    byte[] key = new byte[len];
    b.get(key);
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanSplit s
        && version == s.version
        && index == s.index
        && estimatedBytes == s.estimatedBytes
        && estimatedEntries == s.estimatedEntries
        && Arrays.equals(fromInclusive, s.fromInclusive)
        && Arrays.equals(toExclusive, s.toExclusive);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(version);
    h = 31 * h + index;
    h = 31 * h + Arrays.hashCode(fromInclusive);
    h = 31 * h + Arrays.hashCode(toExclusive);
    h = 31 * h + Long.hashCode(estimatedBytes);
    return 31 * h + Long.hashCode(estimatedEntries);
  }

  @Override
  public String toString() {
    return "ScanSplit[version="
        + version
        + ", index="
        + index
        + ", from="
        + (fromInclusive == null ? "-inf" : HexFormat.of().formatHex(fromInclusive))
        + ", to="
        + (toExclusive == null ? "+inf" : HexFormat.of().formatHex(toExclusive))
        + ", bytes="
        + estimatedBytes
        + ", entries="
        + estimatedEntries
        + "]";
  }
}
