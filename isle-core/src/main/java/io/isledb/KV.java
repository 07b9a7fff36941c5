package io.isledb;

import java.util.Arrays;

/** A key and its value, as returned by scans. The arrays belong to the caller. */
public record KV(byte[] key, byte[] value) {
  @Override
  public boolean equals(Object o) {
    return o instanceof KV kv && Arrays.equals(key, kv.key) && Arrays.equals(value, kv.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "KV[" + io.isledb.util.Bytes.describe(key) + " -> " + value.length + " bytes]";
  }
}
