package io.isledb.flink.connector.table;

import java.util.Map;

/**
 * Compatibility of a declared schema with the one stored in a table's properties (written by the
 * sink with its first commit).
 */
final class StoredSchemas {
  private StoredSchemas() {}

  /** Checks {@code declared} against {@code storedProperties}; nothing stored is compatible. */
  static void check(TableSchemaInfo declared, Map<String, String> storedProperties) {
    // The stored schema's format belongs to the row codec; checked once it is merged.
  }
}
