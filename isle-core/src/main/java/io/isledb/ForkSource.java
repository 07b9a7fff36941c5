package io.isledb;

import java.util.Arrays;
import java.util.Objects;

/**
 * One source of a fork ({@link IsleDB#fork}): the database at {@code prefix} (under the same base
 * URI and store as the fork), at a version given either by number or by one of its version pins (a
 * Flink checkpoint's pin), clipped to the keys {@code [from, to)}. The fork borrows that version's
 * tables without copying them (docs/PROTOCOL.md section 9).
 *
 * @param prefix the source database's prefix
 * @param version the version to fork, or -1 when {@code pin} names it
 * @param pin the name of a version pin of the source whose version to fork, or null when {@code
 *     version} is given
 * @param from the first key of the range (inclusive), or null for unbounded
 * @param to the end of the range (exclusive), or null for unbounded
 */
public record ForkSource(String prefix, long version, String pin, byte[] from, byte[] to) {
  public ForkSource {
    if (prefix == null || prefix.isEmpty()) {
      throw IsleException.invalidArgument("a fork source needs a database prefix");
    }
    if ((pin == null) == (version < 0)) {
      throw IsleException.invalidArgument(
          "fork source "
              + prefix
              + " needs exactly one of a version (got "
              + version
              + ") and a pin (got "
              + pin
              + ")");
    }
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
      throw IsleException.invalidArgument(
          "fork source " + prefix + " has an empty key range: from is not below to");
    }
    from = from == null ? null : from.clone();
    to = to == null ? null : to.clone();
  }

  /** Version {@code version} of the database at {@code prefix}, keys {@code [from, to)}. */
  public static ForkSource ofVersion(String prefix, long version, byte[] from, byte[] to) {
    return new ForkSource(prefix, version, null, from, to);
  }

  /** The version held by the version pin {@code pin} of the database at {@code prefix}. */
  public static ForkSource ofPin(String prefix, String pin, byte[] from, byte[] to) {
    return new ForkSource(prefix, -1, Objects.requireNonNull(pin, "pin"), from, to);
  }

  @Override
  public byte[] from() {
    return from == null ? null : from.clone();
  }

  @Override
  public byte[] to() {
    return to == null ? null : to.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ForkSource s
        && prefix.equals(s.prefix)
        && version == s.version
        && Objects.equals(pin, s.pin)
        && Arrays.equals(from, s.from)
        && Arrays.equals(to, s.to);
  }

  @Override
  public int hashCode() {
    return Objects.hash(prefix, version, pin, Arrays.hashCode(from), Arrays.hashCode(to));
  }

  @Override
  public String toString() {
    return "ForkSource[" + prefix + (pin != null ? " pin " + pin : " version " + version) + "]";
  }
}
