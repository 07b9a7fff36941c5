package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.connector.codec.IsleTableSchema;
import io.isledb.flink.connector.codec.KeyEncoder;
import io.isledb.flink.connector.codec.RowCodec;
import io.isledb.flink.connector.codec.SchemaCompatibility;
import io.isledb.flink.connector.codec.SchemaHistory;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The physical schema of an isle table as declared in SQL (row type and primary key) resolved
 * against the schema versions stored with the table's data, at planning time: key column types and
 * nullability are checked, then compatibility with the stored schema (the codec's {@link
 * SchemaCompatibility}). Serializable: the task managers rebuild the {@link RowCodec} from it.
 */
final class TableSchemaInfo implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String tableName;
  private final RowType rowType;
  private final int[] primaryKey;
  private final HashMap<String, String> storedSchemaProperties;

  private TableSchemaInfo(
      String tableName, RowType rowType, int[] primaryKey, Map<String, String> stored) {
    this.tableName = tableName;
    this.rowType = rowType;
    this.primaryKey = primaryKey;
    this.storedSchemaProperties = new HashMap<>(stored);
  }

  /**
   * The schema of the table at {@code location}, declared as {@code rowType} with the key columns
   * {@code primaryKey}; reads the stored schema (one cold manifest load).
   *
   * @throws ValidationException naming the column and its type if a key column is nullable or of a
   *     type that cannot be part of a key; listing the differing columns if the stored schema is
   *     incompatible; naming the location (never a secret) if it cannot be read
   */
  static TableSchemaInfo resolve(
      String tableName, RowType rowType, int[] primaryKey, TableLocation location) {
    if (primaryKey.length > 0) {
      new KeyEncoder(rowType, primaryKey); // validates the key columns' types and nullability
    }
    TableSchemaInfo s =
        new TableSchemaInfo(tableName, rowType, primaryKey.clone(), readStored(location));
    s.resolution(); // validates compatibility with the stored schema
    return s;
  }

  private static Map<String, String> readStored(TableLocation location) {
    Map<String, String> props;
    try (SharedTables.Lease lease = SharedTables.acquire(location);
        Reader reader =
            lease
                .db()
                .openReader(
                    ReaderOptions.defaults().withDiskCacheBytes(0).withOffHeapBlockCache(false));
        ReadView view = reader.snapshot()) {
      props = view.properties();
    } catch (IsleException e) {
      throw new ValidationException(
          "cannot read the isle table at "
              + location.uri()
              + ": "
              + Redaction.scrub(e.getMessage(), location.secretSettings()));
    }
    Map<String, String> out = new HashMap<>();
    props.forEach(
        (k, v) -> {
          if (k.startsWith(SchemaHistory.SCHEMA_KEY_PREFIX)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The declared schema matched to (or added to) the stored versions. */
  SchemaCompatibility.Resolution resolution() {
    return SchemaCompatibility.resolve(
        tableName,
        SchemaHistory.fromProperties(storedSchemaProperties),
        IsleTableSchema.of(rowType, keyNames()));
  }

  /** The row codec of this schema (on a task manager; not thread-safe: one per task). */
  RowCodec codec(ClassLoader classLoader) {
    SchemaCompatibility.Resolution r = resolution();
    return RowCodec.create(r.schema(), r.history(), classLoader);
  }

  RowType rowType() {
    return rowType;
  }

  int[] primaryKey() {
    return primaryKey.clone();
  }

  boolean hasPrimaryKey() {
    return primaryKey.length > 0;
  }

  List<String> keyNames() {
    List<String> names = new ArrayList<>();
    for (int i : primaryKey) {
      names.add(rowType.getFieldNames().get(i));
    }
    return names;
  }

  List<LogicalType> keyTypes() {
    List<LogicalType> types = new ArrayList<>();
    for (int i : primaryKey) {
      types.add(rowType.getTypeAt(i));
    }
    return types;
  }

  String tableName() {
    return tableName;
  }
}
