package io.isledb.flink.connector.codec;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DistinctType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RawType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/** Chooses the value codec of a column type, recursively for nested types. */
final class ValueFieldCodecs {
  private ValueFieldCodecs() {}

  /**
   * The value codec of {@code type}.
   *
   * @throws ValidationException naming the column and type for a type that has no stored form
   *     (TIMESTAMP WITH TIME ZONE, which Flink cannot execute either, and the non-data types)
   */
  static ValueFieldCodec forType(String column, LogicalType type) {
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return new ScalarValueCodecs.OneByte(true);
      case TINYINT:
        return new ScalarValueCodecs.OneByte(false);
      case SMALLINT:
        return new ScalarValueCodecs.ZigZag(v -> (short) v);
      case INTEGER:
      case DATE:
      case TIME_WITHOUT_TIME_ZONE:
      case INTERVAL_YEAR_MONTH:
        return new ScalarValueCodecs.ZigZag(v -> (int) v);
      case BIGINT:
      case INTERVAL_DAY_TIME:
        return new ScalarValueCodecs.ZigZag(v -> v);
      case FLOAT:
        return new ScalarValueCodecs.Ieee(false);
      case DOUBLE:
        return new ScalarValueCodecs.Ieee(true);
      case DECIMAL:
        DecimalType d = (DecimalType) type;
        return new ScalarValueCodecs.Decimal(d.getPrecision(), d.getScale());
      case CHAR:
      case VARCHAR:
        return new ScalarValueCodecs.Bytes(ScalarValueCodecs.Bytes.Kind.STRING, null);
      case BINARY:
      case VARBINARY:
        return new ScalarValueCodecs.Bytes(ScalarValueCodecs.Bytes.Kind.BINARY, null);
      case RAW:
        return new ScalarValueCodecs.Bytes(
            ScalarValueCodecs.Bytes.Kind.RAW, ((RawType<?>) type).getTypeSerializer());
      case BITMAP:
        return new ScalarValueCodecs.Bytes(ScalarValueCodecs.Bytes.Kind.BITMAP, null);
      case VARIANT:
        return new ScalarValueCodecs.Variant();
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return new ScalarValueCodecs.Timestamp(((TimestampType) type).getPrecision());
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return new ScalarValueCodecs.Timestamp(((LocalZonedTimestampType) type).getPrecision());
      case NULL:
        return new ScalarValueCodecs.NullOnly();
      case DISTINCT_TYPE:
        return forType(column, ((DistinctType) type).getSourceType());
      case ROW:
      case STRUCTURED_TYPE:
        return new NestedValueCodecs.Row(rowBody(column, LogicalTypeChecks.getFieldTypes(type)));
      case ARRAY:
        return new NestedValueCodecs.Array(elements(column, ((ArrayType) type).getElementType()));
      case MAP:
        MapType m = (MapType) type;
        return new NestedValueCodecs.MapCodec(
            elements(column, m.getKeyType()), elements(column, m.getValueType()));
      case MULTISET:
        return new NestedValueCodecs.MapCodec(
            elements(column, ((MultisetType) type).getElementType()),
            elements(column, new IntType(false)));
      default:
        throw new ValidationException(
            "IsleDB cannot store column '"
                + column
                + "' of type "
                + type.asSummaryString()
                + ": the type has no stored form");
    }
  }

  static NestedValueCodecs.RowBody rowBody(String column, List<LogicalType> fieldTypes) {
    ValueFieldCodec[] codecs = new ValueFieldCodec[fieldTypes.size()];
    for (int i = 0; i < codecs.length; i++) {
      codecs[i] = forType(column, fieldTypes.get(i));
    }
    return new NestedValueCodecs.RowBody(new ArrayList<>(fieldTypes), codecs);
  }

  private static NestedValueCodecs.Elements elements(String column, LogicalType type) {
    return new NestedValueCodecs.Elements(type, forType(column, type));
  }
}
