package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.flink.connector.codec.KeyLiterals;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Literals of filter predicates as the internal values of a key column (the codec's {@link
 * KeyLiterals}: exact conversions only; a literal without an exact form is not translated and its
 * predicate stays with Flink), and the SQL order of those values.
 */
final class KeyValues {
  private KeyValues() {}

  /** The literal as an internal value of {@code type}, or null if not exactly representable. */
  static @Nullable Object internal(ValueLiteralExpression literal, LogicalType type) {
    if (literal.isNull()) {
      return null;
    }
    Class<?> own = literal.getOutputDataType().getConversionClass();
    Object value = literal.getValueAs(own).orElse(null);
    if (value == null) {
      return null;
    }
    try {
      return KeyLiterals.toInternal(value, type);
    } catch (IsleException e) {
      return null; // no exact key value: leave the predicate to Flink
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
}
