package io.isledb.sst;

import io.isledb.util.Internal;

/**
 * How a {@link TableIterator} reads blocks.
 *
 * @param fillCache whether blocks read by the scan are added to the block cache (turn off for
 *     compaction and other one-pass scans so they do not evict hot blocks; cached blocks are still
 *     used)
 * @param readaheadBytes when a block must be read, read the following blocks too, as long as the
 *     whole read stays within this many bytes, in the same request (0 = one block per request). On
 *     object storage a few MiB turns a scan from one request per block into a few requests per
 *     table
 * @param autoReadaheadMaxBytes with {@code readaheadBytes} 0: read one block per request until the
 *     iterator has moved on to a following block {@value TableIterator#AUTO_READAHEAD_AFTER} times
 *     in a row, then read ahead {@value TableIterator#AUTO_READAHEAD_INITIAL} bytes, doubling with
 *     every further read up to this many; a seek starts over (0 = never). A seek followed by a few
 *     nexts costs what it did without readahead, a long scan a few requests per MiB, and the
 *     iterator holds at most this many bytes of read-ahead data
 */
@Internal
public record ScanOptions(boolean fillCache, int readaheadBytes, int autoReadaheadMaxBytes) {
  public ScanOptions {
    if (readaheadBytes < 0 || readaheadBytes > SstFormat.MAX_BLOCK_LENGTH) {
      throw io.isledb.IsleException.invalidArgument(
          "readaheadBytes must be in [0, " + SstFormat.MAX_BLOCK_LENGTH + "]: " + readaheadBytes);
    }
    if (autoReadaheadMaxBytes < 0 || autoReadaheadMaxBytes > SstFormat.MAX_BLOCK_LENGTH) {
      throw io.isledb.IsleException.invalidArgument(
          "autoReadaheadMaxBytes must be in [0, "
              + SstFormat.MAX_BLOCK_LENGTH
              + "]: "
              + autoReadaheadMaxBytes);
    }
  }

  /** Fixed readahead (or none), no automatic readahead. */
  public ScanOptions(boolean fillCache, int readaheadBytes) {
    this(fillCache, readaheadBytes, 0);
  }

  /** Point-lookup style: fill the cache, no readahead. */
  public static ScanOptions defaults() {
    return new ScanOptions(true, 0);
  }

  /** One-pass scan: do not fill the cache, read ahead {@code readaheadBytes}. */
  public static ScanOptions sequential(int readaheadBytes) {
    return new ScanOptions(false, readaheadBytes);
  }

  /**
   * Most bytes a user's scan reads ahead per table once it turns out to be long: a long scan on
   * object storage costs about 4 requests per MiB instead of one per block, and holds at most this
   * much per table it merges.
   */
  public static final int USER_SCAN_READAHEAD_MAX = 256 << 10;

  /**
   * A user's scan: fill the cache, one block per request for short scans, automatic readahead up to
   * {@link #USER_SCAN_READAHEAD_MAX} once the scan turns out to be long.
   */
  public static ScanOptions userScan() {
    return new ScanOptions(true, 0, USER_SCAN_READAHEAD_MAX);
  }
}
