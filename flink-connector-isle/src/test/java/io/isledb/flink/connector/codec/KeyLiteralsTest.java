package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** Filter and lookup literals become the internal key values, exactly or not at all. */
class KeyLiteralsTest {
  @Test
  void literalsBecomeInternalValues() {
    assertThat(KeyLiterals.toInternal(5, new BigIntType(false))).isEqualTo(5L);
    assertThat(KeyLiterals.toInternal(new BigDecimal("7"), new IntType(false))).isEqualTo(7);
    assertThat(KeyLiterals.toInternal("x", new VarCharType(false, 3)))
        .isEqualTo(StringData.fromString("x"));
    assertThat(KeyLiterals.toInternal(LocalDate.of(1969, 12, 31), new DateType(false)))
        .isEqualTo(-1);
    assertThat(KeyLiterals.toInternal(LocalTime.of(0, 0, 1, 5_000_000), new TimeType(false, 3)))
        .isEqualTo(1005);
    LocalDateTime ldt = LocalDateTime.of(1960, 1, 1, 0, 0, 0, 123_456_789);
    assertThat(KeyLiterals.toInternal(ldt, new TimestampType(false, 9)))
        .isEqualTo(TimestampData.fromLocalDateTime(ldt));
    Instant i = Instant.ofEpochSecond(-5, 7);
    assertThat(KeyLiterals.toInternal(i, new LocalZonedTimestampType(false, 9)))
        .isEqualTo(TimestampData.fromInstant(i));
    DecimalData d =
        (DecimalData) KeyLiterals.toInternal(new BigDecimal("1.5"), new DecimalType(false, 10, 2));
    assertThat(d.toUnscaledLong()).isEqualTo(150);
    assertThat(d.scale()).isEqualTo(2);
  }

  @Test
  void decimalLiteralsBeyondTheColumnKeepTheirExactValueAsBounds() {
    DecimalType col = new DecimalType(false, 5, 2);
    RowType row = RowType.of(new LogicalType[] {col}, new String[] {"amount"});
    KeyEncoder enc = new KeyEncoder(row, new int[] {0});
    byte[] k100 = enc.encodePrefix(KeyLiterals.toInternal(new BigDecimal("1.00"), col));
    byte[] k101 = enc.encodePrefix(KeyLiterals.toInternal(new BigDecimal("1.01"), col));
    byte[] k999 = enc.encodePrefix(KeyLiterals.toInternal(new BigDecimal("999.99"), col));
    Object between = KeyLiterals.toInternal(new BigDecimal("1.005"), col);
    Object above = KeyLiterals.toInternal(new BigDecimal("123456"), col);
    // amount > 1.005 starts after 1.00 and includes 1.01; amount < 123456 includes 999.99.
    KeyRange r =
        enc.range(
            new Object[0],
            new KeyEncoder.Bound(between, false),
            new KeyEncoder.Bound(above, false));
    assertThat(r.contains(k100)).isFalse();
    assertThat(r.contains(k101)).isTrue();
    assertThat(r.contains(k999)).isTrue();
    // amount = 1.005 matches no key.
    assertThat(enc.prefixRange(between).contains(k100)).isFalse();
    assertThat(enc.prefixRange(between).contains(k101)).isFalse();
  }

  @Test
  void inexactOrMistypedLiteralsAreRefused() {
    assertThatThrownBy(() -> KeyLiterals.toInternal(300, new TinyIntType(false)))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("TINYINT");
    assertThatThrownBy(() -> KeyLiterals.toInternal(new BigDecimal("1.5"), new IntType(false)))
        .isInstanceOf(IsleException.class);
    assertThatThrownBy(() -> KeyLiterals.toInternal("5", new IntType(false)))
        .isInstanceOf(IsleException.class);
    assertThatThrownBy(
            () -> KeyLiterals.toInternal(new BigDecimal("1E+40"), new DecimalType(false, 5, 2)))
        .isInstanceOf(IsleException.class);
  }
}
