package io.isledb.flink.connector.table;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Literals of filter predicates as the internal values of a key column (what the key encoder
 * takes), and the SQL order of those values. Only exact conversions: a literal that does not fit
 * the column exactly is not translated (its predicate stays with Flink).
 */
final class KeyValues {
  private KeyValues() {}

  /** The literal as an internal value of {@code type}, or null if not exactly representable. */
  static @Nullable Object internal(ValueLiteralExpression literal, LogicalType type) {
    if (literal.isNull()) {
      return null;
    }
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return as(literal, Boolean.class);
      case TINYINT:
        return exact(literal, type);
      case SMALLINT:
        return exact(literal, type);
      case INTEGER:
        return exact(literal, type);
      case BIGINT:
        return exact(literal, type);
      case DECIMAL:
        {
          BigDecimal bd = decimal(literal);
          DecimalType d = (DecimalType) type;
          if (bd == null || bd.scale() > d.getScale()) {
            return null;
          }
          return DecimalData.fromBigDecimal(bd, d.getPrecision(), d.getScale());
        }
      case CHAR:
      case VARCHAR:
        {
          String s = as(literal, String.class);
          return s == null ? null : StringData.fromString(s);
        }
      case BINARY:
      case VARBINARY:
        return as(literal, byte[].class);
      case DATE:
        {
          LocalDate d = as(literal, LocalDate.class);
          return d == null ? null : (int) d.toEpochDay();
        }
      case TIME_WITHOUT_TIME_ZONE:
        {
          LocalTime t = as(literal, LocalTime.class);
          return t == null ? null : (int) (t.toNanoOfDay() / 1_000_000L);
        }
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        {
          LocalDateTime t = as(literal, LocalDateTime.class);
          return t == null ? null : TimestampData.fromLocalDateTime(t);
        }
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        {
          Instant t = as(literal, Instant.class);
          return t == null ? null : TimestampData.fromInstant(t);
        }
      default:
        return null;
    }
  }

  /** SQL order of two internal values of one key column (the key encoding's byte order). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.compareUnsigned(x, y);
    }
    return ((Comparable) a).compareTo(b);
  }

  private static @Nullable Object exact(ValueLiteralExpression literal, LogicalType type) {
    BigDecimal bd = decimal(literal);
    if (bd == null) {
      return null;
    }
    try {
      switch (type.getTypeRoot()) {
        case TINYINT:
          return bd.byteValueExact();
        case SMALLINT:
          return bd.shortValueExact();
        case INTEGER:
          return bd.intValueExact();
        default:
          return bd.longValueExact();
      }
    } catch (ArithmeticException e) {
      return null; // out of the column's range or not an integer: leave the predicate to Flink
    }
  }

  private static @Nullable BigDecimal decimal(ValueLiteralExpression literal) {
    Object v = as(literal, Object.class);
    if (v instanceof BigDecimal b) {
      return b;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    return null;
  }

  private static <T> @Nullable T as(ValueLiteralExpression literal, Class<T> clazz) {
    if (clazz == Object.class) {
      Class<?> own = literal.getOutputDataType().getConversionClass();
      return clazz.cast(literal.getValueAs(own).orElse(null));
    }
    Optional<T> v = literal.getValueAs(clazz);
    return v.orElse(null);
  }
}
