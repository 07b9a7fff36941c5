package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * Converts literal values of a filter or lookup (Java objects as {@code
 * ValueLiteralExpression.getValueAs} gives them: {@code Long}, {@code BigDecimal}, {@code String},
 * {@code LocalDate}, {@code LocalDateTime}, {@code Instant}...) into the internal data the {@link
 * KeyEncoder} takes for a key column of {@code type}. Internal values pass through unchanged.
 */
public final class KeyLiterals {
  private KeyLiterals() {}

  /**
   * The internal value of {@code value} for a key column of {@code type}.
   *
   * @throws IsleException INVALID_ARGUMENT if the value has no exact internal form of that type (a
   *     DECIMAL literal too wide for the column, a string for a number column...): the caller keeps
   *     such a predicate in Flink instead of pushing it down
   */
  public static Object toInternal(Object value, LogicalType type) {
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return as(value, Boolean.class, type);
      case TINYINT:
        return (byte) exactLong(value, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case SMALLINT:
        return (short) exactLong(value, type, Short.MIN_VALUE, Short.MAX_VALUE);
      case INTEGER:
        return (int) exactLong(value, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case BIGINT:
        return exactLong(value, type, Long.MIN_VALUE, Long.MAX_VALUE);
      case INTERVAL_YEAR_MONTH:
        return value instanceof Period p
            ? (int) p.toTotalMonths()
            : (int) exactLong(value, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case INTERVAL_DAY_TIME:
        return value instanceof Duration d
            ? d.toMillis()
            : exactLong(value, type, Long.MIN_VALUE, Long.MAX_VALUE);
      case DECIMAL:
        return decimal(value, type);
      case CHAR:
      case VARCHAR:
        return value instanceof StringData
            ? value
            : StringData.fromString(as(value, String.class, type));
      case BINARY:
      case VARBINARY:
        return as(value, byte[].class, type);
      case DATE:
        return value instanceof LocalDate d ? (int) d.toEpochDay() : as(value, Integer.class, type);
      case TIME_WITHOUT_TIME_ZONE:
        return value instanceof LocalTime t
            ? (int) (t.toNanoOfDay() / 1_000_000)
            : as(value, Integer.class, type);
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return value instanceof LocalDateTime t
            ? TimestampData.fromLocalDateTime(t)
            : as(value, TimestampData.class, type);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return value instanceof Instant i
            ? TimestampData.fromInstant(i)
            : as(value, TimestampData.class, type);
      default:
        throw unsupported(value, type);
    }
  }

  private static <T> T as(Object value, Class<T> cls, LogicalType type) {
    if (!cls.isInstance(value)) {
      throw unsupported(value, type);
    }
    return cls.cast(value);
  }

  private static long exactLong(Object value, LogicalType type, long min, long max) {
    long v;
    if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      v = ((Number) value).longValue();
    } else if (value instanceof BigDecimal d) {
      try {
        v = d.longValueExact();
      } catch (ArithmeticException e) {
        throw unsupported(value, type);
      }
    } else {
      throw unsupported(value, type);
    }
    if (v < min || v > max) {
      throw unsupported(value, type);
    }
    return v;
  }

  private static DecimalData decimal(Object value, LogicalType type) {
    if (value instanceof DecimalData d) {
      return d;
    }
    BigDecimal bd;
    if (value instanceof BigDecimal b) {
      bd = b;
    } else if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      bd = BigDecimal.valueOf(((Number) value).longValue());
    } else {
      throw unsupported(value, type);
    }
    int p = LogicalTypeChecks.getPrecision(type);
    int s = LogicalTypeChecks.getScale(type);
    if (bd.stripTrailingZeros().scale() <= s) {
      DecimalData d = DecimalData.fromBigDecimal(bd, p, s);
      if (d != null) {
        return d;
      }
    }
    // Not a value of the column's type (more digits, or too large): never round it, that would
    // change which keys match. The key encoding orders decimals by value whatever their scale, so
    // keep the exact value: a bound between two column values, an equality that matches nothing.
    BigDecimal stripped = bd.stripTrailingZeros();
    int scale = Math.max(0, stripped.scale());
    DecimalData exact = DecimalData.fromBigDecimal(stripped.setScale(scale), 38, scale);
    if (exact == null || scale > 38) {
      throw unsupported(value, type);
    }
    return exact;
  }

  private static IsleException unsupported(Object value, LogicalType type) {
    return IsleException.invalidArgument(
        "literal "
            + value
            + " ("
            + (value == null ? "null" : value.getClass().getSimpleName())
            + ") has no exact value of key type "
            + type.asSummaryString());
  }
}
