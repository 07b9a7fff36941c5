package io.isledb.sst;

import io.isledb.util.Internal;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One version of one key as stored in an SST.
 *
 * @param userKey the user key
 * @param seq the sequence number, {@code 0 <= seq <= SstFormat.MAX_SEQUENCE}
 * @param kind what the entry is
 * @param expiresAtMillis epoch millis after which the entry is expired, for kinds with {@link
 *     ValueKind#hasExpiry()}; 0 for every other kind
 * @param value the value, a blob reference for {@link ValueKind#isBlob()} kinds, empty for {@link
 *     ValueKind#DELETE}
 */
@Internal
public record Entry(byte[] userKey, long seq, ValueKind kind, long expiresAtMillis, byte[] value) {

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && seq == e.seq
        && kind == e.kind
        && expiresAtMillis == e.expiresAtMillis
        && Arrays.equals(userKey, e.userKey)
        && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(userKey);
    h = 31 * h + Long.hashCode(seq);
    h = 31 * h + kind.hashCode();
    h = 31 * h + Long.hashCode(expiresAtMillis);
    return 31 * h + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Entry[key="
        + Keys.describe(userKey)
        + ", seq="
        + seq
        + ", kind="
        + kind
        + (kind.hasExpiry() ? ", expiresAt=" + expiresAtMillis : "")
        + ", value="
        + (value.length <= 32 ? "0x" + HexFormat.of().formatHex(value) : value.length + " bytes")
        + "]";
  }
}
