package io.isledb;

import java.time.Duration;
import java.util.Objects;

/**
 * Tailing reader settings. Immutable; start from {@link #defaults()}.
 *
 * @param pollInterval how long {@link TailingReader#tail} waits after finding nothing new (default
 *     1 s); an idle poll costs one read request
 * @param fromKey only keys at or after this one are emitted (null = no lower bound)
 * @param toKey only keys before this one are emitted (null = no upper bound)
 * @param readaheadBytes with a key range: tables up to this size are read whole, larger ones block
 *     by block, the blocks the range needs, in ranged reads of up to this many bytes (at least one
 *     block); the memory one open table's data costs (default 1 MiB, 0 = one block per read)
 */
public record TailingReaderOptions(
    Duration pollInterval, byte[] fromKey, byte[] toKey, int readaheadBytes) {
  /** Default {@link #readaheadBytes}. */
  public static final int DEFAULT_READAHEAD_BYTES = 1 << 20;

  /** The largest {@link #readaheadBytes}. */
  public static final int MAX_READAHEAD_BYTES = 64 << 20;

  public TailingReaderOptions {
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw IsleException.invalidArgument("pollInterval must be positive, got " + pollInterval);
    }
    if (readaheadBytes < 0 || readaheadBytes > MAX_READAHEAD_BYTES) {
      throw IsleException.invalidArgument(
          "readaheadBytes must be in [0, " + MAX_READAHEAD_BYTES + "], got " + readaheadBytes);
    }
    if (fromKey != null && toKey != null && java.util.Arrays.compareUnsigned(fromKey, toKey) > 0) {
      throw IsleException.invalidArgument("key range is empty: fromKey is after toKey");
    }
    fromKey = fromKey == null ? null : fromKey.clone();
    toKey = toKey == null ? null : toKey.clone();
  }

  /** Poll every second, all keys. */
  public static TailingReaderOptions defaults() {
    return new TailingReaderOptions(Duration.ofSeconds(1), null, null, DEFAULT_READAHEAD_BYTES);
  }

  public TailingReaderOptions withPollInterval(Duration d) {
    return new TailingReaderOptions(d, fromKey, toKey, readaheadBytes);
  }

  /**
   * Emits only keys in {@code [from, to)}; null bounds are open. Positions do not depend on the
   * range: a position from a reader with one range is valid for a reader with any other (or none),
   * and means the same point in the commit order.
   */
  public TailingReaderOptions withKeyRange(byte[] from, byte[] to) {
    return new TailingReaderOptions(pollInterval, from, to, readaheadBytes);
  }

  /** See {@link #readaheadBytes}. */
  public TailingReaderOptions withReadaheadBytes(int bytes) {
    return new TailingReaderOptions(pollInterval, fromKey, toKey, bytes);
  }
}
