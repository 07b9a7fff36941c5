package io.isledb.flink.connector.table;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** The rules for primary key columns: NOT NULL, of a type with an order-preserving encoding. */
final class KeyColumns {
  private KeyColumns() {}

  /**
   * @throws ValidationException naming the column and type of the first bad key column
   */
  static void validate(RowType rowType, int[] primaryKey) {
    for (int i : primaryKey) {
      String name = rowType.getFieldNames().get(i);
      LogicalType type = rowType.getTypeAt(i);
      if (!supported(type)) {
        throw new ValidationException(
            "isle primary key column '"
                + name
                + "' has the type "
                + type.asSummaryString()
                + ", which cannot be part of a key: key columns must be integers, DECIMAL,"
                + " CHAR/VARCHAR, BOOLEAN, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ or"
                + " BINARY/VARBINARY");
      }
      if (type.isNullable()) {
        throw new ValidationException(
            "isle primary key column '"
                + name
                + "' has the nullable type "
                + type.asSummaryString()
                + ": key columns must be NOT NULL");
      }
    }
  }

  private static boolean supported(LogicalType type) {
    switch (type.getTypeRoot()) {
      case BOOLEAN:
      case TINYINT:
      case SMALLINT:
      case INTEGER:
      case BIGINT:
      case DECIMAL:
      case CHAR:
      case VARCHAR:
      case BINARY:
      case VARBINARY:
      case DATE:
      case TIME_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return true;
      default:
        return false;
    }
  }
}
