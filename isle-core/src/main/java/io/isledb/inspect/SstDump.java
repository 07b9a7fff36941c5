package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;
import java.util.Map;

/**
 * A table file's properties and index.
 *
 * @param object the object name
 * @param size the file size
 * @param properties the properties block (and footer version), in a fixed order
 * @param index one entry per data block
 */
@Internal
public record SstDump(
    String object, long size, Map<String, String> properties, List<IndexEntry> index) {

  /**
   * One index entry.
   *
   * @param separatorKey the separator's user key (at or after the block's last key)
   * @param separatorSeq its sequence number ({@code 2^56 - 1} when shortened)
   * @param offset the data block's offset
   * @param size the data block's stored size, trailer excluded
   */
  public record IndexEntry(byte[] separatorKey, long separatorSeq, long offset, int size) {}

  /**
   * One stored entry.
   *
   * @param key the user key
   * @param seq its sequence number
   * @param kind {@code PUT}, {@code DELETE}, {@code PUT_EXPIRING}, {@code BLOB}, ...
   * @param expiresAtMillis its expiry, 0 if none
   * @param value the stored value (a blob reference for blob kinds; empty for deletions)
   */
  public record Entry(byte[] key, long seq, String kind, long expiresAtMillis, byte[] value) {}
}
