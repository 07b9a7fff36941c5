package io.isledb;

import java.util.Arrays;

/**
 * One committed put, delete or append operand, as the tailing reader emits it.
 *
 * @param type put, delete or append
 * @param key the key
 * @param value the value (empty for deletes)
 * @param seq the write's sequence number
 * @param expiresAtMillis when a put with a TTL expires (epoch millis), 0 for none
 * @param version the manifest version that committed it
 * @param next the position right after this change: save it to resume after this change
 * @param commitTimeMillis when the version that committed it was written (epoch millis): the clock
 *     of the process that committed it, as recorded in that manifest edit, so it is neither
 *     globally ordered nor unique (versions are the order; two writers' clocks may disagree); 0 if
 *     unknown (a change built with the seven-argument constructor)
 */
public record Change(
    Type type,
    byte[] key,
    byte[] value,
    long seq,
    long expiresAtMillis,
    long version,
    TailPosition next,
    long commitTimeMillis) {

  /**
   * A change whose commit time is unknown ({@code commitTimeMillis} 0): for tests and callers that
   * build changes themselves.
   */
  public Change(
      Type type,
      byte[] key,
      byte[] value,
      long seq,
      long expiresAtMillis,
      long version,
      TailPosition next) {
    this(type, key, value, seq, expiresAtMillis, version, next, 0);
  }

  /** What a change does. */
  public enum Type {
    PUT,
    DELETE,
    /**
     * An append operand ({@link Writer#append}): the value is the operand only; the key's value is
     * then its previous value followed by it. A consumer that does not apply appends must not treat
     * this as a put.
     */
    APPEND
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Change c
        && type == c.type
        && Arrays.equals(key, c.key)
        && Arrays.equals(value, c.value)
        && seq == c.seq
        && expiresAtMillis == c.expiresAtMillis
        && version == c.version
        && commitTimeMillis == c.commitTimeMillis
        && next.equals(c.next);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + Long.hashCode(seq);
  }

  @Override
  public String toString() {
    return "Change["
        + type
        + " "
        + io.isledb.util.Bytes.describe(key)
        + " seq "
        + seq
        + " at "
        + version
        + "]";
  }
}
