package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of the persisted row encoding (docs/flink-connector.md, "Row encoding"): stored
 * tables depend on these exact bytes, so any change here must be a new encoding version.
 */
class RowEncodingGoldenTest {
  private static String key(LogicalType type, Object value) {
    RowType row = RowType.of(new LogicalType[] {type}, new String[] {"k"});
    return KeyBytes.hex(new KeyEncoder(row, new int[] {0}).encodeKeyRow(GenericRowData.of(value)));
  }

  private static DecimalData dec(String v) {
    return DecimalData.fromBigDecimal(new BigDecimal(v), 10, 2);
  }

  @Test
  void keyBytes() {
    assertThat(key(new BigIntType(false), 1L)).isEqualTo("8000000000000001");
    assertThat(key(new IntType(false), -1)).isEqualTo("7fffffff");
    assertThat(key(new BooleanType(false), true)).isEqualTo("01");
    assertThat(key(new VarCharType(false, 5), StringData.fromString("a\u0000")))
        .isEqualTo("6100ff0001");
    assertThat(key(new VarCharType(false, 5), StringData.fromString(""))).isEqualTo("0001");
    assertThat(key(new DecimalType(false, 10, 2), dec("12.34"))).isEqualTo("03820d2300");
    assertThat(key(new DecimalType(false, 10, 2), dec("-12.34"))).isEqualTo("017df2dcff");
    assertThat(key(new DecimalType(false, 10, 2), dec("0.00"))).isEqualTo("02");
    assertThat(key(new DecimalType(false, 10, 2), dec("100"))).isEqualTo("03830b00");
    assertThat(key(new TimestampType(false, 9), TimestampData.fromEpochMillis(0, 1)))
        .isEqualTo("8000000000000000000001");
    assertThat(key(new TimestampType(false, 3), TimestampData.fromEpochMillis(-1)))
        .isEqualTo("7fffffffffffffff");
  }

  @Test
  void valueBytes() {
    RowType row =
        RowType.of(
            new LogicalType[] {new IntType(), new VarCharType(5), new BigIntType()},
            new String[] {"a", "b", "c"});
    // schema id 5, null bitmap 0b010 (b is NULL), zig-zag 1 -> 02, zig-zag -1 -> 01
    assertThat(
            KeyBytes.hex(
                ValueEncoder.forFullRow(row, 5).encodeValue(GenericRowData.of(1, null, -1L))))
        .isEqualTo("05020201");
    // a string: varint length then UTF-8
    assertThat(
            KeyBytes.hex(
                ValueEncoder.forFullRow(row, 0)
                    .encodeValue(GenericRowData.of(null, StringData.fromString("hi"), null))))
        .isEqualTo("0005026869");
  }
}
