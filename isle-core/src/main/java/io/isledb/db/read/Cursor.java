package io.isledb.db.read;

import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;

/** A positioned stream of entries in internal key order (user key ascending, seq descending). */
@Internal
public interface Cursor extends AutoCloseable {
  boolean valid();

  void next();

  /** A copy of the current user key. */
  byte[] userKey();

  /**
   * The array holding the current user key in {@code [0, keyLength())}, not copied: it changes when
   * the cursor moves and must not be modified. For comparisons that need no copy.
   */
  byte[] keyArray();

  /** Length of the current user key in {@link #keyArray()}. */
  int keyLength();

  /** The effective sequence number (a table's global sequence replaces stored ones). */
  long seq();

  ValueKind kind();

  long expiresAt();

  byte[] value();

  /** Where the current entry comes from, for messages. */
  String where();

  /**
   * The home prefix of the table the current entry comes from when it is a fork's borrowed table
   * (its blob references resolve there), or null for this database's own data.
   */
  default String home() {
    return null;
  }

  /**
   * Moves past every entry whose user key is {@code key} (the cursor is at {@code key} or after
   * it). One step per version here; cursors over sorted arrays jump, so that a scan steps over the
   * many versions a memtable keeps of a key rewritten again and again in O(log versions).
   */
  default void skipPast(byte[] key) {
    while (valid() && java.util.Arrays.equals(keyArray(), 0, keyLength(), key, 0, key.length)) {
      next();
    }
  }

  @Override
  void close();
}
