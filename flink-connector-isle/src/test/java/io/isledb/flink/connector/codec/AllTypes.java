package io.isledb.flink.connector.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RawValueData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RawType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.types.bitmap.Bitmap;
import org.apache.flink.types.variant.BinaryVariant;
import org.apache.flink.types.variant.Variant;

/**
 * A row type with one column of every Flink SQL type (nested types nesting each other, NOT NULL
 * variants), seeded random internal values with NULLs at every nullable level, and a deep
 * normalisation of internal values into plain Java values for equality checks.
 */
final class AllTypes {
  private AllTypes() {}

  static final String[] TYPES = {
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT NOT NULL",
    "BIGINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL(10, 2)",
    "DECIMAL(18, 0)",
    "DECIMAL(19, 4)",
    "DECIMAL(38, 18)",
    "CHAR(3)",
    "VARCHAR(20)",
    "VARCHAR(2147483647)",
    "BINARY(3)",
    "VARBINARY(10)",
    "VARBINARY(2147483647)",
    "DATE",
    "TIME(0)",
    "TIME(3)",
    "TIMESTAMP(0)",
    "TIMESTAMP(3)",
    "TIMESTAMP(6)",
    "TIMESTAMP(9)",
    "TIMESTAMP_LTZ(3)",
    "TIMESTAMP_LTZ(9)",
    "INTERVAL YEAR(2) TO MONTH",
    "INTERVAL DAY(2) TO SECOND(3)",
    "ROW<`a` INT, `b` STRING, `c` ARRAY<DECIMAL(20, 3)>>",
    "ROW<`n` ROW<`x` BIGINT NOT NULL, `y` TIMESTAMP(9)> NOT NULL, `m` MAP<STRING, INT>>",
    "ARRAY<INT>",
    "ARRAY<INT NOT NULL>",
    "ARRAY<ROW<`x` BIGINT, `y` MAP<STRING, INT>>>",
    "ARRAY<ARRAY<BYTES>>",
    "MAP<STRING, ARRAY<TIMESTAMP(6)>>",
    "MAP<INT NOT NULL, STRING NOT NULL>",
    "MAP<ROW<`k` INT>, MULTISET<STRING>>",
    "MULTISET<STRING>",
    "MULTISET<DECIMAL(38, 0)>",
    "VARIANT",
    "BITMAP",
    "NULL",
  };

  static RowType rowType() {
    List<RowType.RowField> fields = new ArrayList<>();
    ClassLoader cl = AllTypes.class.getClassLoader();
    for (int i = 0; i < TYPES.length; i++) {
      fields.add(new RowType.RowField("c" + i, LogicalTypeParser.parse(TYPES[i], cl)));
    }
    fields.add(
        new RowType.RowField(
            "c_raw", new RawType<>(true, String.class, StringSerializer.INSTANCE)));
    return new RowType(false, fields);
  }

  static GenericRowData randomRow(RowType type, Random rnd) {
    return (GenericRowData) randomNonNull(type, rnd, 0);
  }

  static Object random(LogicalType t, Random rnd, int depth) {
    if (t.isNullable() && rnd.nextInt(5) == 0) {
      return null;
    }
    return randomNonNull(t, rnd, depth);
  }

  private static Object randomNonNull(LogicalType t, Random rnd, int depth) {
    switch (t.getTypeRoot()) {
      case BOOLEAN:
        return rnd.nextBoolean();
      case TINYINT:
        return (byte) rnd.nextInt();
      case SMALLINT:
        return (short) rnd.nextInt();
      case INTEGER:
      case DATE:
      case INTERVAL_YEAR_MONTH:
        return rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(200) - 100;
      case TIME_WITHOUT_TIME_ZONE:
        return rnd.nextInt(86_400_000);
      case BIGINT:
      case INTERVAL_DAY_TIME:
        return rnd.nextBoolean() ? rnd.nextLong() : (long) rnd.nextInt(200) - 100;
      case FLOAT:
        return new float[] {0f, -0f, Float.NaN, Float.MAX_VALUE, rnd.nextFloat()}[rnd.nextInt(5)];
      case DOUBLE:
        return new double[] {
              0d, -0d, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, rnd.nextGaussian()
            }
            [rnd.nextInt(5)];
      case DECIMAL:
        int p = LogicalTypeChecks.getPrecision(t);
        int s = LogicalTypeChecks.getScale(t);
        int digits = 1 + rnd.nextInt(p);
        BigInteger u = new BigInteger(digits * 4, rnd).mod(BigInteger.TEN.pow(digits));
        return DecimalData.fromBigDecimal(
            new BigDecimal(rnd.nextBoolean() ? u : u.negate(), s), p, s);
      case CHAR:
      case VARCHAR:
        return StringData.fromString(
            new String[] {"", "a", "\u0000x", "héllo \ud83d\ude00", "abc"}[rnd.nextInt(5)]);
      case BINARY:
      case VARBINARY:
        byte[] b = new byte[rnd.nextInt(5)];
        rnd.nextBytes(b);
        return b;
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        long millis = rnd.nextLong() % 253402300799999L;
        return LogicalTypeChecks.getPrecision(t) <= 3
            ? TimestampData.fromEpochMillis(millis)
            : TimestampData.fromEpochMillis(millis, rnd.nextInt(1_000_000));
      case ROW:
        List<LogicalType> fts = LogicalTypeChecks.getFieldTypes(t);
        GenericRowData row = new GenericRowData(fts.size());
        for (int i = 0; i < fts.size(); i++) {
          row.setField(i, random(fts.get(i), rnd, depth + 1));
        }
        return row;
      case ARRAY:
        return new GenericArrayData(list(((ArrayType) t).getElementType(), rnd, depth));
      case MAP:
        MapType mt = (MapType) t;
        return map(mt.getKeyType(), mt.getValueType(), rnd, depth);
      case MULTISET:
        return map(
            ((MultisetType) t).getElementType(),
            new org.apache.flink.table.types.logical.IntType(false),
            rnd,
            depth);
      case VARIANT:
        return rnd.nextBoolean()
            ? Variant.newBuilder().of("v" + rnd.nextInt(100))
            : Variant.newBuilder().of(rnd.nextLong());
      case BITMAP:
        return Bitmap.fromArray(new int[] {rnd.nextInt(100), 1000 + rnd.nextInt(100)});
      case RAW:
        return RawValueData.fromObject("raw-" + rnd.nextInt(1000));
      case NULL:
        return null;
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }

  private static Object[] list(LogicalType et, Random rnd, int depth) {
    int n = depth > 3 ? 0 : rnd.nextInt(4);
    Object[] out = new Object[n];
    for (int i = 0; i < n; i++) {
      out[i] = random(et, rnd, depth + 1);
    }
    return out;
  }

  private static MapData map(LogicalType kt, LogicalType vt, Random rnd, int depth) {
    Map<Object, Object> m = new LinkedHashMap<>();
    int n = depth > 3 ? 0 : rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      Object k = random(kt, rnd, depth + 1);
      Object v = random(vt, rnd, depth + 1);
      if (vt.getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.INTEGER
          && v != null) {
        v = Math.abs((Integer) v % 5) + 1;
      }
      m.put(k, v);
    }
    return new GenericMapData(m);
  }

  /** A plain-Java deep form of an internal value: lists, ordered entry lists, strings. */
  static Object normalise(Object v, LogicalType t) {
    if (v == null) {
      return null;
    }
    switch (t.getTypeRoot()) {
      case BINARY:
      case VARBINARY:
        return "0x" + KeyBytes.hex((byte[]) v);
      case FLOAT:
        return "f" + Float.floatToRawIntBits((Float) v);
      case DOUBLE:
        return "d" + Double.doubleToRawLongBits((Double) v);
      case DECIMAL:
        DecimalData d = (DecimalData) v;
        return d.toBigDecimal().toPlainString() + "/" + d.precision() + "," + d.scale();
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        TimestampData ts = (TimestampData) v;
        return ts.getMillisecond() + "ms+" + ts.getNanoOfMillisecond() + "ns";
      case CHAR:
      case VARCHAR:
        return "'" + v + "'";
      case ROW:
        List<LogicalType> fts = LogicalTypeChecks.getFieldTypes(t);
        RowData r = (RowData) v;
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < fts.size(); i++) {
          out.add(normalise(FieldAccess.field(fts.get(i), i).getFieldOrNull(r), fts.get(i)));
        }
        return out;
      case ARRAY:
        return array((ArrayData) v, ((ArrayType) t).getElementType());
      case MAP:
        MapType mt = (MapType) t;
        return entries((MapData) v, mt.getKeyType(), mt.getValueType());
      case MULTISET:
        return entries(
            (MapData) v,
            ((MultisetType) t).getElementType(),
            new org.apache.flink.table.types.logical.IntType(false));
      case VARIANT:
        BinaryVariant bv = (BinaryVariant) v;
        return "variant " + KeyBytes.hex(bv.getValue()) + "/" + KeyBytes.hex(bv.getMetadata());
      case BITMAP:
        return "bitmap " + java.util.Arrays.toString(((Bitmap) v).toArray());
      case RAW:
        @SuppressWarnings("unchecked")
        RawValueData<String> raw = (RawValueData<String>) v;
        return "raw " + raw.toObject(StringSerializer.INSTANCE);
      default:
        return v;
    }
  }

  private static List<Object> array(ArrayData a, LogicalType et) {
    ArrayData.ElementGetter g = FieldAccess.element(et);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(normalise(g.getElementOrNull(a, i), et));
    }
    return out;
  }

  private static List<Object> entries(MapData m, LogicalType kt, LogicalType vt) {
    List<Object> keys = array(m.keyArray(), kt);
    List<Object> values = array(m.valueArray(), vt);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      out.add(List.of(String.valueOf(keys.get(i)), String.valueOf(values.get(i))));
    }
    return out;
  }
}
