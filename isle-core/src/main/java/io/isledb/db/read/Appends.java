package io.isledb.db.read;

import io.isledb.util.Internal;
import java.util.Optional;

/**
 * The append operands of one key met so far while its versions are read newest first, and their
 * resolution: the value is the base (the newest PUT, or nothing after a DELETE or an expiry)
 * followed by every operand newer than it, oldest first. Reads stack: the value of a key in older
 * sources resolved on its own is the base of the operands found in newer ones.
 */
@Internal
public final class Appends {
  private byte[][] operands = new byte[4][];
  private int count;
  private long bytes;

  /** Records an operand older than every one recorded so far. */
  public void add(byte[] operand) {
    if (count == operands.length) {
      operands = java.util.Arrays.copyOf(operands, count * 2);
    }
    operands[count++] = operand;
    bytes += operand.length;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Bytes of the operands recorded. */
  public long bytes() {
    return bytes;
  }

  /** The value of the key: {@code base} (absent: none) followed by the operands, oldest first. */
  public Optional<byte[]> resolve(Optional<byte[]> base) {
    if (count == 0) {
      return base;
    }
    return Optional.of(concat(base.orElse(null)));
  }

  /** {@code base} (null: none) followed by the operands, oldest first. */
  public byte[] concat(byte[] base) {
    int baseLength = base == null ? 0 : base.length;
    byte[] out = new byte[Math.toIntExact(baseLength + bytes)];
    if (base != null) {
      System.arraycopy(base, 0, out, 0, baseLength);
    }
    int at = baseLength;
    for (int i = count - 1; i >= 0; i--) {
      byte[] op = operands[i];
      System.arraycopy(op, 0, out, at, op.length);
      at += op.length;
    }
    return out;
  }

  /** Forgets every operand. */
  public void clear() {
    java.util.Arrays.fill(operands, 0, count, null);
    count = 0;
    bytes = 0;
  }
}
