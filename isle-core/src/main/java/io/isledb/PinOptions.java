package io.isledb;

import java.time.Duration;

/**
 * Settings of a pin. Immutable; start from {@link #defaults()}.
 *
 * @param owner who holds the pin (a job id, a consumer name), listed by {@link IsleDB#pinInfos()}
 *     for operators; null (the default) for none. At most 256 characters
 * @param ttl how long the pin lasts: it expires {@code ttl} after it was written, by the pinner's
 *     clock, and GC stops honouring (and deletes) it once its own clock is a grace period past that
 *     (docs/PROTOCOL.md section 7, "Pin expiry"). Null (the default): the pin lasts until {@link
 *     IsleDB#unpin}. A pin that a crashed job may leave behind should expire: a bounded scan's pin
 *     or a checkpoint's, with a ttl well above the time its holder needs it (renew it by pinning
 *     again under the same name before it expires)
 */
public record PinOptions(String owner, Duration ttl) {
  /** Longest owner accepted. */
  public static final int MAX_OWNER_LENGTH = 256;

  public PinOptions {
    if (owner != null && (owner.isEmpty() || owner.length() > MAX_OWNER_LENGTH)) {
      throw IsleException.invalidArgument(
          "PinOptions.owner must have 1 to "
              + MAX_OWNER_LENGTH
              + " characters, got '"
              + owner
              + "'");
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw IsleException.invalidArgument("PinOptions.ttl must be positive, got " + ttl);
    }
  }

  /** No owner, no expiry: the pin lasts until it is removed. */
  public static PinOptions defaults() {
    return new PinOptions(null, null);
  }

  public PinOptions withOwner(String v) {
    return new PinOptions(v, ttl);
  }

  public PinOptions withTtl(Duration v) {
    return new PinOptions(owner, v);
  }
}
