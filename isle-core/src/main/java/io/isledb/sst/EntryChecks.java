package io.isledb.sst;

import io.isledb.IsleException;

/** The per-entry limits a {@link TableBuilder} enforces before it writes anything. */
final class EntryChecks {
  private EntryChecks() {}

  /**
   * Rejects a null part, a key or value over its limit, a sequence number out of range, a tombstone
   * with a value and an expiry that does not fit the kind.
   *
   * @throws IsleException INVALID_ARGUMENT naming the key and the limit
   */
  static void validate(
      byte[] keyBuf,
      int keyOffset,
      int keyLength,
      long seq,
      ValueKind kind,
      long expiresAtMillis,
      byte[] valueBuf,
      int valueLength) {
    if (keyBuf == null || kind == null || valueBuf == null) {
      throw IsleException.invalidArgument("userKey, kind and value must not be null");
    }
    if (keyLength > SstFormat.MAX_KEY_LENGTH) {
      throw IsleException.invalidArgument(
          "key of "
              + keyLength
              + " bytes exceeds the limit of "
              + SstFormat.MAX_KEY_LENGTH
              + ": "
              + Keys.describe(keyBuf, keyOffset, keyLength));
    }
    if (seq < 0 || seq > SstFormat.MAX_SEQUENCE) {
      throw IsleException.invalidArgument(
          "seq " + seq + " is outside [0, " + SstFormat.MAX_SEQUENCE + "]");
    }
    if (valueLength > SstFormat.MAX_VALUE_LENGTH) {
      throw IsleException.invalidArgument(
          "value of "
              + valueLength
              + " bytes for key "
              + Keys.describe(keyBuf, keyOffset, keyLength)
              + " exceeds the limit of "
              + SstFormat.MAX_VALUE_LENGTH);
    }
    if (kind == ValueKind.DELETE && valueLength != 0) {
      throw IsleException.invalidArgument(
          "tombstone for key "
              + Keys.describe(keyBuf, keyOffset, keyLength)
              + " has a "
              + valueLength
              + "-byte value");
    }
    if (kind.hasExpiry() ? expiresAtMillis <= 0 : expiresAtMillis != 0) {
      throw IsleException.invalidArgument(
          kind
              + " entry for key "
              + Keys.describe(keyBuf, keyOffset, keyLength)
              + " has expiresAtMillis "
              + expiresAtMillis
              + (kind.hasExpiry() ? "; it must be positive" : "; it must be 0 for this kind"));
    }
  }
}
