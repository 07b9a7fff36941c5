package io.isledb.db.write;

import io.isledb.sst.ValueKind;
import java.time.Duration;

/**
 * The put / put-with-ttl / delete surface shared by {@link DbWriter} and {@link DbSstWriter}: maps
 * each call to one entry kind (a tombstone carries an empty value, a ttl becomes an absolute expiry
 * on the role's clock) so both roles encode the public calls the same way.
 */
abstract class KindedWrites {
  /** Adds one entry of {@code kind}; {@code expiresAt} is 0 unless the kind has an expiry. */
  abstract void writeEntry(byte[] key, byte[] value, ValueKind kind, long expiresAt);

  /** The role's clock, for turning a ttl into an expiry. */
  abstract long nowMillis();

  public final void put(byte[] key, byte[] value) {
    writeEntry(key, value, ValueKind.PUT, 0);
  }

  public final void put(byte[] key, byte[] value, Duration ttl) {
    writeEntry(key, value, ValueKind.PUT_EXPIRING, WriteChecks.expiry(key, ttl, nowMillis()));
  }

  public final void delete(byte[] key) {
    writeEntry(key, new byte[0], ValueKind.DELETE, 0);
  }
}
