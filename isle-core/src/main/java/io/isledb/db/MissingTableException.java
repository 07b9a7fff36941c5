package io.isledb.db;

import io.isledb.CorruptionException;

/**
 * A table the reader's version references is gone from storage. A reader whose version is older
 * than the GC grace period can see this; it refreshes and retries before reporting corruption.
 */
final class MissingTableException extends CorruptionException {
  private static final long serialVersionUID = 1L;
  final String tableId;

  MissingTableException(String tableId, String message) {
    super(message);
    this.tableId = tableId;
  }
}
