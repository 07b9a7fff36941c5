package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BinaryType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.CharType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DayTimeIntervalType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.table.types.logical.YearMonthIntervalType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests of the key encoding: for seeded random values (edge values favoured) of every key
 * type, and for composite keys, the unsigned byte order of the encodings is the SQL order, and
 * decoding gives the value back. The seed is printed; rerun one with {@code -Dcodec.seed=N}.
 */
class KeyEncoderPropertyTest {
  private static final long SEED = Long.getLong("codec.seed", 20261130L);
  private static final int VALUES = 300;

  static List<LogicalType> keyTypes() {
    return List.of(
        new BooleanType(false),
        new TinyIntType(false),
        new SmallIntType(false),
        new IntType(false),
        new BigIntType(false),
        new DecimalType(false, 1, 0),
        new DecimalType(false, 5, 5),
        new DecimalType(false, 10, 2),
        new DecimalType(false, 18, 4),
        new DecimalType(false, 19, 0),
        new DecimalType(false, 38, 0),
        new DecimalType(false, 38, 10),
        new DecimalType(false, 38, 38),
        new CharType(false, 5),
        new VarCharType(false, VarCharType.MAX_LENGTH),
        new BinaryType(false, 4),
        new VarBinaryType(false, 100),
        new DateType(false),
        new TimeType(false, 3),
        new TimestampType(false, 0),
        new TimestampType(false, 3),
        new TimestampType(false, 6),
        new TimestampType(false, 9),
        new LocalZonedTimestampType(false, 3),
        new LocalZonedTimestampType(false, 9),
        new YearMonthIntervalType(false, YearMonthIntervalType.YearMonthResolution.MONTH, 2),
        new DayTimeIntervalType(false, DayTimeIntervalType.DayTimeResolution.DAY_TO_SECOND, 2, 3));
  }

  private static KeyEncoder encoderOf(LogicalType... types) {
    List<RowType.RowField> fields = new ArrayList<>();
    int[] key = new int[types.length];
    for (int i = 0; i < types.length; i++) {
      fields.add(new RowType.RowField("k" + i, types[i]));
      key[i] = i;
    }
    return new KeyEncoder(new RowType(false, fields), key);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyTypes")
  void byteOrderIsSqlOrderAndDecodingRoundTrips(LogicalType type) {
    Random rnd = new Random(SEED ^ type.asSerializableString().hashCode());
    System.out.println("KeyEncoderPropertyTest seed " + SEED + " type " + type);
    KeyValueGen gen = new KeyValueGen(rnd);
    KeyEncoder enc = encoderOf(type);
    Comparator<Object> sql = KeyValueGen.sqlOrder(type);
    List<Object> values = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < VALUES; i++) {
      Object v = gen.next(type);
      byte[] k = enc.encodeKeyRow(GenericRowData.of(v));
      Object back = enc.decodeKey(k).getField(0);
      assertThat(KeyValueGen.same(v, back))
          .as(
              "seed %d: %s decodes back from %s, got %s",
              SEED, KeyValueGen.show(v), KeyBytes.hex(k), KeyValueGen.show(back))
          .isTrue();
      values.add(v);
      keys.add(k);
    }
    for (int i = 0; i < VALUES; i++) {
      for (int j = 0; j < VALUES; j++) {
        int want = Integer.signum(sql.compare(values.get(i), values.get(j)));
        int got = Integer.signum(Arrays.compareUnsigned(keys.get(i), keys.get(j)));
        if (want != got) {
          throw new AssertionError(
              String.format(
                  "seed %d, %s: SQL order of %s and %s is %d, byte order of %s and %s is %d",
                  SEED,
                  type,
                  KeyValueGen.show(values.get(i)),
                  KeyValueGen.show(values.get(j)),
                  want,
                  KeyBytes.hex(keys.get(i)),
                  KeyBytes.hex(keys.get(j)),
                  got));
        }
      }
    }
  }

  @Test
  void compositeKeysCompareColumnByColumnAndPrefixesArePrefixes() {
    Random rnd = new Random(SEED);
    System.out.println("KeyEncoderPropertyTest composite seed " + SEED);
    List<LogicalType> all = keyTypes();
    for (int round = 0; round < 40; round++) {
      int n = 2 + rnd.nextInt(3);
      LogicalType[] types = new LogicalType[n];
      for (int i = 0; i < n; i++) {
        types[i] = all.get(rnd.nextInt(all.size()));
      }
      KeyEncoder enc = encoderOf(types);
      KeyValueGen gen = new KeyValueGen(rnd);
      // A small pool of values per column, so that leading columns tie often.
      List<List<Object>> pools = new ArrayList<>();
      for (LogicalType t : types) {
        List<Object> pool = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          pool.add(gen.next(t));
        }
        pools.add(pool);
      }
      List<Object[]> rows = new ArrayList<>();
      List<byte[]> keys = new ArrayList<>();
      for (int r = 0; r < 60; r++) {
        Object[] row = new Object[n];
        for (int c = 0; c < n; c++) {
          row[c] = pools.get(c).get(rnd.nextInt(4));
        }
        byte[] k = enc.encodeKeyRow(GenericRowData.of(row));
        for (int p = 0; p <= n; p++) {
          byte[] prefix = enc.encodePrefix(Arrays.copyOf(row, p));
          assertThat(Arrays.copyOf(k, prefix.length))
              .as("prefix of %d columns", p)
              .isEqualTo(prefix);
        }
        GenericRowData back = enc.decodeKey(k);
        for (int c = 0; c < n; c++) {
          assertThat(KeyValueGen.same(row[c], back.getField(c))).isTrue();
        }
        rows.add(row);
        keys.add(k);
      }
      for (int i = 0; i < rows.size(); i++) {
        for (int j = 0; j < rows.size(); j++) {
          int want = 0;
          for (int c = 0; c < n && want == 0; c++) {
            want =
                Integer.signum(
                    KeyValueGen.sqlOrder(types[c]).compare(rows.get(i)[c], rows.get(j)[c]));
          }
          int got = Integer.signum(Arrays.compareUnsigned(keys.get(i), keys.get(j)));
          assertThat(got)
              .as(
                  "seed %d, types %s, rows %s / %s",
                  SEED,
                  Arrays.toString(types),
                  Arrays.toString(rows.get(i)),
                  Arrays.toString(rows.get(j)))
              .isEqualTo(want);
        }
      }
    }
  }

  @Test
  void decimalsEncodeByValueWhateverTheScaleTheyCarry() {
    KeyEncoder enc = encoderOf(new DecimalType(false, 10, 2));
    DecimalData a = DecimalData.fromBigDecimal(new java.math.BigDecimal("1.5"), 10, 2);
    DecimalData b = DecimalData.fromUnscaledLong(15000, 12, 4); // 1.5000 of another type
    DecimalData zero = DecimalData.fromUnscaledLong(0, 10, 2);
    DecimalData zero4 = DecimalData.fromBigDecimal(new java.math.BigDecimal("0E+5"), 38, 0);
    assertThat(enc.encodeKeyRow(GenericRowData.of(a)))
        .isEqualTo(enc.encodeKeyRow(GenericRowData.of(b)));
    assertThat(enc.encodeKeyRow(GenericRowData.of(zero)))
        .isEqualTo(enc.encodeKeyRow(GenericRowData.of(zero4)))
        .containsExactly(OrderedDecimalCodec.ZERO);
    DecimalData back =
        (DecimalData) enc.decodeKey(enc.encodeKeyRow(GenericRowData.of(b))).getField(0);
    assertThat(back.scale()).isEqualTo(2);
    assertThat(back.toUnscaledLong()).isEqualTo(150);
  }

  @Test
  void keysOfFullRowsUseTheKeyColumnsInKeyOrder() {
    RowType rowType =
        RowType.of(
            new LogicalType[] {
              new VarCharType(true, 10), new IntType(false), new BigIntType(false)
            },
            new String[] {"v", "a", "b"});
    KeyEncoder enc = new KeyEncoder(rowType, new int[] {2, 1});
    RowData row = GenericRowData.of(org.apache.flink.table.data.StringData.fromString("x"), 7, 9L);
    assertThat(enc.encodeKey(row)).isEqualTo(enc.encodeKeyRow(GenericRowData.of(9L, 7)));
    assertThat(enc.encodePrefix(9L)).hasSize(8);
  }
}
