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
 * @param holdObject false (the default): the pin lasts until it is unpinned or expires. True: the
 *     pin also writes a small object {@link #holdObjectName(String) pin-holds/<name>} on the
 *     database's object store (before the pin), and lasts only while that object exists: whoever
 *     can delete objects of the store (Flink's JobManager discarding a checkpoint, which has no
 *     access to a JDBC manifest store) releases the pin by deleting it, and the next GC pass
 *     removes the pin (docs/PROTOCOL.md section 7, "Pin holds"). Costs one PUT more per pin
 */
public record PinOptions(String owner, Duration ttl, boolean holdObject) {
  /** Longest owner accepted. */
  public static final int MAX_OWNER_LENGTH = 256;

  /** Settings without a hold object. */
  public PinOptions(String owner, Duration ttl) {
    this(owner, ttl, false);
  }

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
    return new PinOptions(v, ttl, holdObject);
  }

  public PinOptions withTtl(Duration v) {
    return new PinOptions(owner, v, holdObject);
  }

  public PinOptions withHoldObject(boolean v) {
    return new PinOptions(owner, ttl, v);
  }

  /**
   * The name, relative to the database prefix on its object store, of the hold object of the pin
   * {@code pinName} ({@link #holdObject()}): deleting it releases the pin.
   */
  public static String holdObjectName(String pinName) {
    return io.isledb.manifest.ManifestPaths.pinHold(pinName);
  }
}
