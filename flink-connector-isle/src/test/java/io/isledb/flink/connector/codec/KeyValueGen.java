package io.isledb.flink.connector.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;

/**
 * Random internal values of the key types, edge values favoured, and their SQL order (Flink's own
 * comparisons: DecimalData/StringData/TimestampData.compareTo, unsigned bytes for binaries).
 */
final class KeyValueGen {
  private final Random rnd;

  KeyValueGen(Random rnd) {
    this.rnd = rnd;
  }

  /** Characters that stress the escaping: NUL, 0x01, 0xFF-ish code points, multi-byte UTF-8. */
  private static final String ALPHABET = "\u0000\u0001ab\u00ff\u0100z\uffff\ud83d\ude00 ";

  Object next(LogicalType type) {
    boolean edge = rnd.nextInt(4) == 0;
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return rnd.nextBoolean();
      case TINYINT:
        return edge
            ? pick((byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) -1)
            : (byte) rnd.nextInt();
      case SMALLINT:
        return edge
            ? pick((short) 0, Short.MIN_VALUE, Short.MAX_VALUE, (short) -1)
            : (short) rnd.nextInt();
      case INTEGER:
      case INTERVAL_YEAR_MONTH:
        return edge ? pick(0, Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 1) : small(rnd.nextInt());
      case DATE:
        // 0000-01-01 .. 9999-12-31 as days since 1970-01-01, and before 1970.
        return edge ? pick(-719528, 2932896, 0, -1) : -719528 + rnd.nextInt(3652425);
      case TIME_WITHOUT_TIME_ZONE:
        return edge ? pick(0, 86_399_999, 1) : rnd.nextInt(86_400_000);
      case BIGINT:
      case INTERVAL_DAY_TIME:
        return edge
            ? pick(0L, Long.MIN_VALUE, Long.MAX_VALUE, -1L, 1L)
            : (rnd.nextBoolean() ? rnd.nextLong() : (long) rnd.nextInt(1000) - 500);
      case DECIMAL:
        return decimal((DecimalType) type, edge);
      case CHAR:
      case VARCHAR:
        return StringData.fromString(string());
      case BINARY:
      case VARBINARY:
        return binary();
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return timestamp(((TimestampType) type).getPrecision(), edge);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return timestamp(((LocalZonedTimestampType) type).getPrecision(), edge);
      default:
        throw new IllegalArgumentException(type.toString());
    }
  }

  private int small(int v) {
    return rnd.nextBoolean() ? v : v % 100;
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[rnd.nextInt(options.length)];
  }

  private String string() {
    int len = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      int c = rnd.nextInt(ALPHABET.length());
      if (Character.isHighSurrogate(ALPHABET.charAt(c))) {
        sb.append(ALPHABET, c, c + 2);
      } else if (Character.isLowSurrogate(ALPHABET.charAt(c))) {
        sb.append('q');
      } else {
        sb.append(ALPHABET.charAt(c));
      }
    }
    return sb.toString();
  }

  private byte[] binary() {
    int len = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(6);
    byte[] b = new byte[len];
    byte[] palette = {0, 1, (byte) 0xFF, (byte) 0xFE, 0x7F, (byte) 0x80, 2};
    for (int i = 0; i < len; i++) {
      b[i] = palette[rnd.nextInt(palette.length)];
    }
    return b;
  }

  private DecimalData decimal(DecimalType t, boolean edge) {
    int p = t.getPrecision();
    int s = t.getScale();
    BigInteger max = BigInteger.TEN.pow(p).subtract(BigInteger.ONE);
    BigInteger unscaled;
    if (edge) {
      unscaled =
          pick(
              BigInteger.ZERO,
              max,
              max.negate(),
              BigInteger.ONE,
              BigInteger.ONE.negate(),
              BigInteger.TEN.pow(Math.max(0, p - 1)), // trailing zeros
              BigInteger.TEN.pow(s).negate()); // exactly -1 when it fits
      if (unscaled.abs().compareTo(max) > 0) {
        unscaled = BigInteger.ONE;
      }
    } else {
      int digits = 1 + rnd.nextInt(p);
      unscaled = new BigInteger(digits * 4, rnd).mod(BigInteger.TEN.pow(digits));
      if (rnd.nextInt(3) == 0) {
        // Many trailing zeros, as in 1.2000.
        int zeros = rnd.nextInt(digits);
        unscaled = unscaled.divide(BigInteger.TEN.pow(zeros)).multiply(BigInteger.TEN.pow(zeros));
      }
      if (rnd.nextBoolean()) {
        unscaled = unscaled.negate();
      }
    }
    return DecimalData.fromBigDecimal(new BigDecimal(unscaled, s), p, s);
  }

  private TimestampData timestamp(int precision, boolean edge) {
    long millis;
    int nanos;
    if (edge) {
      millis = pick(0L, -1L, 1L, -62167219200000L, 253402300799999L, -86_400_000L);
      nanos = pick(0, 999_999, 1, 500_000);
    } else {
      millis = (rnd.nextLong() % 253402300799999L) / (rnd.nextBoolean() ? 1 : 1_000_000);
      nanos = rnd.nextInt(1_000_000);
    }
    if (precision <= 3) {
      nanos = 0;
    } else {
      // Values of TIMESTAMP(p) have p fractional digits: drop the finer nanoseconds.
      int unit = (int) Math.pow(10, 9 - precision);
      nanos = nanos / unit * unit;
    }
    return TimestampData.fromEpochMillis(millis, nanos);
  }

  /** SQL order of two values of {@code type}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Comparator<Object> sqlOrder(LogicalType type) {
    switch (type.getTypeRoot()) {
      case BINARY:
      case VARBINARY:
        return (a, b) -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
      case CHAR:
      case VARCHAR:
        // Flink's runtime compares strings in binary form (UTF-8 bytes, i.e. code points).
        // BinaryStringData.compareTo of two strings still in Java-object form compares UTF-16
        // units instead, which differs for supplementary characters against U+E000..U+FFFF: compare
        // the binary forms, as rows in the runtime are.
        return (a, b) ->
            StringData.fromBytes(((StringData) a).toBytes())
                .compareTo(StringData.fromBytes(((StringData) b).toBytes()));
      default:
        return (a, b) -> ((Comparable) a).compareTo(b);
    }
  }

  /** Equality of decoded and original values (decimals with the declared scale). */
  static boolean same(Object a, Object b) {
    if (a instanceof byte[]) {
      return Arrays.equals((byte[]) a, (byte[]) b);
    }
    if (a instanceof DecimalData) {
      DecimalData x = (DecimalData) a;
      DecimalData y = (DecimalData) b;
      return x.compareTo(y) == 0 && x.scale() == y.scale() && x.precision() == y.precision();
    }
    return a.equals(b);
  }

  static String show(Object v) {
    if (v instanceof byte[]) {
      return "0x" + KeyBytes.hex((byte[]) v);
    }
    if (v instanceof StringData) {
      return "'"
          + v
          + "' (utf8 0x"
          + KeyBytes.hex(v.toString().getBytes(StandardCharsets.UTF_8))
          + ")";
    }
    return String.valueOf(v);
  }
}
