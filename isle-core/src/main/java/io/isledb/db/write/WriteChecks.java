package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.WriterOptions;
import io.isledb.util.Bytes;
import java.time.Duration;

/**
 * The input checks every write path shares ({@code Writer} and {@code SstWriter}), with messages
 * naming the key, the size and the limit. They run before anything is buffered, so a rejected write
 * leaves every earlier one in place. The limits are {@link WriterOptions}'s: any value accepted
 * here is storable, because values too large to store inline go to blobs (see {@link
 * WriterOptions#MAX_INLINE_VALUE_SIZE}).
 */
final class WriteChecks {
  private WriteChecks() {}

  static void check(byte[] key, byte[] value) {
    if (key == null) {
      throw IsleException.invalidArgument("key must not be null");
    }
    if (value == null) {
      throw IsleException.invalidArgument(
          "value for key " + Bytes.describe(key) + " must not be null");
    }
    if (key.length > WriterOptions.MAX_KEY_SIZE) {
      throw IsleException.invalidArgument(
          "key "
              + Bytes.describe(key)
              + " is "
              + key.length
              + " bytes; the limit is "
              + WriterOptions.MAX_KEY_SIZE);
    }
    if (value.length > WriterOptions.MAX_VALUE_SIZE) {
      throw IsleException.invalidArgument(
          "value for key "
              + Bytes.describe(key)
              + " is "
              + value.length
              + " bytes; the limit is "
              + WriterOptions.MAX_VALUE_SIZE
              + " (the blob limit: values of at least blobThreshold bytes are stored as blobs)");
    }
  }

  /** {@link #check} for an append operand, which is always stored inline. */
  static void checkOperand(byte[] key, byte[] operand) {
    check(key, operand);
    if (operand.length > WriterOptions.MAX_INLINE_VALUE_SIZE) {
      throw IsleException.invalidArgument(
          "append operand for key "
              + Bytes.describe(key)
              + " is "
              + operand.length
              + " bytes; the limit is "
              + WriterOptions.MAX_INLINE_VALUE_SIZE
              + " (operands are stored inline, never as blobs)");
    }
  }

  /** The expiry time of an entry written at {@code nowMillis} with {@code ttl}. */
  static long expiry(byte[] key, Duration ttl, long nowMillis) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw IsleException.invalidArgument(
          "ttl for key " + Bytes.describe(key) + " must be positive, got " + ttl);
    }
    try {
      return Math.addExact(nowMillis, ttl.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
