package io.isledb.flink.connector.codec;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Null-safe field and element getters for every type: Flink's {@code RowData.createFieldGetter} and
 * {@code ArrayData.createElementGetter} refuse the NULL type, and this covers VARIANT and BITMAP
 * explicitly as well.
 */
final class FieldAccess {
  private FieldAccess() {}

  static RowData.FieldGetter field(LogicalType type, int pos) {
    switch (type.getTypeRoot()) {
      case NULL:
        return row -> null;
      case BITMAP:
        return row -> row.isNullAt(pos) ? null : row.getBitmap(pos);
      case VARIANT:
        return row -> row.isNullAt(pos) ? null : row.getVariant(pos);
      default:
        return RowData.createFieldGetter(type.copy(true), pos);
    }
  }

  static ArrayData.ElementGetter element(LogicalType type) {
    switch (type.getTypeRoot()) {
      case NULL:
        return (array, pos) -> null;
      case BITMAP:
        return (array, pos) -> array.isNullAt(pos) ? null : array.getBitmap(pos);
      case VARIANT:
        return (array, pos) -> array.isNullAt(pos) ? null : array.getVariant(pos);
      default:
        return ArrayData.createElementGetter(type.copy(true));
    }
  }
}
