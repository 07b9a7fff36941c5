package io.isledb;

import java.util.OptionalLong;

/**
 * Maps a user key to an application log sequence number (LSN), for append-only databases whose keys
 * are monotonic positions (for example 8-byte big-endian WAL offsets). When configured in {@link
 * DBOptions}, every flush publishes the largest committed LSN and retention publishes the low
 * watermark in {@code manifest/CURRENT}, where readers find them with one GET and no replay.
 */
@FunctionalInterface
public interface CommittedLsnExtractor {
  /** The LSN a key stands for, or empty if the key is not an LSN key. */
  OptionalLong extract(byte[] key);

  /** Keys that are exactly 8 bytes, big-endian, unsigned (the LSN must fit in 63 bits). */
  static CommittedLsnExtractor bigEndianUint64() {
    return key -> {
      if (key.length != 8) {
        return OptionalLong.empty();
      }
      long v = 0;
      for (byte b : key) {
        v = (v << 8) | (b & 0xff);
      }
      return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
    };
  }
}
