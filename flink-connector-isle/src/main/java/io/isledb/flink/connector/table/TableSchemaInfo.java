package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The physical schema of an isle table as declared in SQL: row type and primary key positions,
 * with the checks made at planning time (key column types and nullability, compatibility with the
 * schema stored at the table's path).
 */
final class TableSchemaInfo implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String tableName;
  private final RowType rowType;
  private final int[] primaryKey;

  private TableSchemaInfo(String tableName, RowType rowType, int[] primaryKey) {
    this.tableName = tableName;
    this.rowType = rowType;
    this.primaryKey = primaryKey;
  }

  /**
   * The schema of table {@code tableName}.
   *
   * @throws ValidationException naming the column and its type if a key column is nullable or of
   *     a type that cannot be part of a key
   */
  static TableSchemaInfo of(String tableName, RowType rowType, int[] primaryKey) {
    TableSchemaInfo s = new TableSchemaInfo(tableName, rowType, primaryKey.clone());
    KeyColumns.validate(rowType, primaryKey);
    return s;
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

  /**
   * Reads the table properties stored at {@code location} (one cold manifest load) and checks that
   * this schema can read and write what is stored there.
   *
   * @throws ValidationException naming the differing columns on a mismatch, or naming the table's
   *     location (never a secret) if it cannot be reached
   */
  void checkStored(TableLocation location) {
    Map<String, String> stored;
    try (SharedTables.Lease lease = SharedTables.acquire(location);
        Reader reader = lease.db().openReader(ReaderOptions.defaults().withDiskCacheBytes(0));
        ReadView view = reader.snapshot()) {
      stored = view.properties();
    } catch (IsleException e) {
      throw new ValidationException(
          "cannot read the isle table '"
              + tableName
              + "' at "
              + location.uri()
              + ": "
              + Redaction.scrub(e.getMessage(), location.hadoopConf()));
    }
    StoredSchemas.check(this, stored);
  }
}
