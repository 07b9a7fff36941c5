package io.isledb.flink.connector.codec;

import java.io.Serializable;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * A range of encoded keys, in the form {@code ReadView.scan(fromInclusive, toExclusive)} takes: a
 * null bound is unbounded. {@link #isEmpty()} when no key can fall in it.
 */
public final class KeyRange implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final KeyRange ALL = new KeyRange(null, null);

  @Nullable private final byte[] fromInclusive;
  @Nullable private final byte[] toExclusive;

  public KeyRange(@Nullable byte[] fromInclusive, @Nullable byte[] toExclusive) {
    this.fromInclusive = fromInclusive == null ? null : fromInclusive.clone();
    this.toExclusive = toExclusive == null ? null : toExclusive.clone();
  }

  /** Every key. */
  public static KeyRange all() {
    return ALL;
  }

  /** Every key that starts with {@code prefix}. */
  public static KeyRange withPrefix(byte[] prefix) {
    return new KeyRange(prefix.length == 0 ? null : prefix, KeyBytes.prefixSuccessor(prefix));
  }

  /** The inclusive lower bound, or null for none. */
  @Nullable
  public byte[] fromInclusive() {
    return fromInclusive == null ? null : fromInclusive.clone();
  }

  /** The exclusive upper bound, or null for none. */
  @Nullable
  public byte[] toExclusive() {
    return toExclusive == null ? null : toExclusive.clone();
  }

  /** Whether {@code key} lies in the range. */
  public boolean contains(byte[] key) {
    return (fromInclusive == null || Arrays.compareUnsigned(key, fromInclusive) >= 0)
        && (toExclusive == null || Arrays.compareUnsigned(key, toExclusive) < 0);
  }

  /** True when no key can lie in the range. */
  public boolean isEmpty() {
    return fromInclusive != null
        && toExclusive != null
        && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange
        && Arrays.equals(fromInclusive, ((KeyRange) o).fromInclusive)
        && Arrays.equals(toExclusive, ((KeyRange) o).toExclusive);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(fromInclusive) + Arrays.hashCode(toExclusive);
  }

  @Override
  public String toString() {
    return "KeyRange[" + KeyBytes.hex(fromInclusive) + ", " + KeyBytes.hex(toExclusive) + ")";
  }
}
