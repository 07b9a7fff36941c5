package io.isledb.db;

import io.isledb.sst.ValueKind;

/** A positioned stream of entries in internal key order (user key ascending, seq descending). */
interface Cursor extends AutoCloseable {
  boolean valid();

  void next();

  byte[] userKey();

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
