package io.isledb.flink.connector.table;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.codec.IsleTableSchema;
import io.isledb.flink.connector.codec.RowCodec;
import io.isledb.flink.connector.codec.SchemaCompatibility;
import io.isledb.flink.connector.codec.SchemaHistory;
import io.isledb.flink.connector.internal.TableLocation;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Writes rows of an upsert table straight through isle-core (no Flink sink): the row codec's keys
 * and values, the schema committed as table properties with them. For tests of the read paths.
 */
final class IsleTestTables implements AutoCloseable {
  private final ObjectStore store;
  private final IsleDB db;
  private final Writer writer;
  private final RowCodec codec;
  private final Map<String, String> schemaProperties;
  private boolean schemaCommitted;

  /** Opens the table at {@code path} for the row type and key; blocks of {@code blockSize}. */
  IsleTestTables(String path, RowType rowType, List<String> primaryKey, int blockSize) {
    this(path, rowType, primaryKey, blockSize, Clock.systemUTC());
  }

  /** As above, the database reading {@code clock} (the commit times it records). */
  IsleTestTables(
      String path, RowType rowType, List<String> primaryKey, int blockSize, Clock clock) {
    TableLocation location = TableLocation.of(path, Map.of());
    store = IsleDB.openStore(location.storeUri(), location.prefix(), location.hadoopConf());
    db = IsleDB.open(store, DBOptions.defaults().withClock(clock));
    writer =
        db.openWriter(
            WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(blockSize));
    SchemaCompatibility.Resolution r =
        SchemaCompatibility.resolve(
            path,
            SchemaHistory.fromProperties(writer.view().properties()),
            IsleTableSchema.of(rowType, primaryKey));
    codec = RowCodec.create(r.schema(), r.history(), IsleTestTables.class.getClassLoader());
    schemaProperties = r.propertiesToCommit();
  }

  /** Buffers an upsert of {@code row} (a full physical row). */
  void put(RowData row) {
    writer.put(codec.encodeKey(row), codec.encodeValue(row));
  }

  /** Buffers a delete of {@code row}'s key. */
  void delete(RowData row) {
    writer.delete(codec.encodeKey(row));
  }

  /** Publishes what was buffered as one table (and the schema with the first flush). */
  void flush() {
    writer.flush();
    if (!schemaCommitted) {
      if (!schemaProperties.isEmpty()) {
        writer.commitProperties(schemaProperties);
      }
      schemaCommitted = true;
    }
  }

  @Override
  public void close() {
    writer.close();
    db.close();
    store.close();
  }
}
