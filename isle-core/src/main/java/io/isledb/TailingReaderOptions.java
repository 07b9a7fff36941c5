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
 */
public record TailingReaderOptions(Duration pollInterval, byte[] fromKey, byte[] toKey) {
  public TailingReaderOptions {
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw IsleException.invalidArgument("pollInterval must be positive, got " + pollInterval);
    }
    fromKey = fromKey == null ? null : fromKey.clone();
    toKey = toKey == null ? null : toKey.clone();
  }

  /** Poll every second, all keys. */
  public static TailingReaderOptions defaults() {
    return new TailingReaderOptions(Duration.ofSeconds(1), null, null);
  }

  public TailingReaderOptions withPollInterval(Duration d) {
    return new TailingReaderOptions(d, fromKey, toKey);
  }

  /** Emits only keys in {@code [from, to)}; null bounds are open. */
  public TailingReaderOptions withKeyRange(byte[] from, byte[] to) {
    return new TailingReaderOptions(pollInterval, from, to);
  }
}
