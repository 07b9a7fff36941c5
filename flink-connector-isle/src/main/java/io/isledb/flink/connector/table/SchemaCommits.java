package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.flink.connector.codec.SchemaCompatibility;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;

/**
 * Stores a new declared schema (the first one of a table, or one with nullable columns added at the
 * end) as table properties before a sink writes rows of it: an empty commit of the commit user
 * {@value #SCHEMA_COMMIT_USER} whose identifier is the schema id, so storing the same schema
 * version again is a no-op. If another declaration stored a different schema under the same id
 * first, the re-check fails naming the differing columns.
 */
final class SchemaCommits {
  /** The commit user of schema commits: its mark is the newest schema id stored. */
  static final String SCHEMA_COMMIT_USER = "flink-sql-schema";

  private SchemaCommits() {}

  /** {@code declared} as stored at {@code location} (stored first if it is new). */
  static TableSchemaInfo storeIfNew(TableSchemaInfo declared, TableLocation location) {
    TableSchemaInfo current = declared;
    for (int attempt = 0; attempt < 3; attempt++) {
      SchemaCompatibility.Resolution r = current.resolution();
      Map<String, String> props = r.propertiesToCommit();
      if (props.isEmpty()) {
        return current;
      }
      try (SharedTables.Lease lease = SharedTables.acquire(location)) {
        lease.db().commit(List.of(), SCHEMA_COMMIT_USER, r.schema().schemaId(), props);
      } catch (IsleException e) {
        throw new ValidationException(
            "cannot store the schema of the isle table at "
                + location.uri()
                + ": "
                + Redaction.scrub(e.getMessage(), location.hadoopConf()));
      }
      // Re-read: a concurrent declaration may have stored another schema under that id.
      current =
          TableSchemaInfo.resolve(
              declared.tableName(), declared.rowType(), declared.primaryKey(), location);
    }
    throw new ValidationException(
        "the schema of the isle table at "
            + location.uri()
            + " changed under three attempts to store the declared one: retry");
  }
}
