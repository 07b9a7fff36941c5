package io.isledb.db.read;

import io.isledb.sst.ValueKind;

/** A positioned stream of entries in internal key order (user key ascending, seq descending). */
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

  @Override
  void close();
}
