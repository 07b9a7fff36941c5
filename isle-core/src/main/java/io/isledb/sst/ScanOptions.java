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
 */
@Internal
public record ScanOptions(boolean fillCache, int readaheadBytes) {
  public ScanOptions {
    if (readaheadBytes < 0 || readaheadBytes > SstFormat.MAX_BLOCK_LENGTH) {
      throw io.isledb.IsleException.invalidArgument(
          "readaheadBytes must be in [0, " + SstFormat.MAX_BLOCK_LENGTH + "]: " + readaheadBytes);
    }
  }

  /** Point-lookup style: fill the cache, no readahead. */
  public static ScanOptions defaults() {
    return new ScanOptions(true, 0);
  }

  /** One-pass scan: do not fill the cache, read ahead {@code readaheadBytes}. */
  public static ScanOptions sequential(int readaheadBytes) {
    return new ScanOptions(false, readaheadBytes);
  }
}
