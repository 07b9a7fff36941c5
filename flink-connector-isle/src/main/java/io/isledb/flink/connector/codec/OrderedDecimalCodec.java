package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.flink.table.data.DecimalData;

/**
 * Order-preserving DECIMAL key encoding, independent of the scale a value carries (so {@code 1.0}
 * and {@code 1.00} encode the same, and any value of the declared type sorts right):
 *
 * <ul>
 *   <li>a sign byte: {@link #NEGATIVE} (0x01), {@link #ZERO} (0x02), {@link #POSITIVE} (0x03); zero
 *       ends there;
 *   <li>the value written as {@code 0.d1d2d3... x 10^E} with {@code d1 != 0} and no trailing zero
 *       digit: one byte {@code E + 128};
 *   <li>the digits in pairs, one byte {@code 10 * d1 + d2 + 1} each (1..100; an odd count is padded
 *       with a 0 digit), then a 0x00 terminator.
 * </ul>
 *
 * A larger exponent means a larger magnitude; with equal exponents the digit bytes compare as the
 * magnitudes do, and the terminator (below every digit byte) puts a shorter digit string first.
 * Negative values invert every byte after the sign byte, reversing the magnitude order.
 */
final class OrderedDecimalCodec implements KeyFieldCodec {
  /** Sign bytes: never change. */
  static final int NEGATIVE = 0x01;

  static final int ZERO = 0x02;
  static final int POSITIVE = 0x03;

  private final int precision;
  private final int scale;

  OrderedDecimalCodec(int precision, int scale) {
    this.precision = precision;
    this.scale = scale;
  }

  @Override
  public void encode(Object value, ByteOutput out) {
    BigDecimal v = ((DecimalData) value).toBigDecimal();
    int sign = v.signum();
    if (sign == 0) {
      out.writeByte(ZERO);
      return;
    }
    BigDecimal stripped = v.stripTrailingZeros();
    String digits = stripped.unscaledValue().abs().toString();
    long exponent = (long) digits.length() - stripped.scale();
    if (exponent < -128 || exponent > 127) {
      // Unreachable for a DECIMAL(p <= 38, s) value: |E| <= 38.
      throw IsleException.invalidArgument(
          "DECIMAL(" + precision + ", " + scale + ") key value " + v + " is out of range");
    }
    int flip = sign < 0 ? 0xFF : 0;
    out.writeByte(sign < 0 ? NEGATIVE : POSITIVE);
    out.writeByte((int) (exponent + 128) ^ flip);
    for (int i = 0; i < digits.length(); i += 2) {
      int d1 = digits.charAt(i) - '0';
      int d2 = i + 1 < digits.length() ? digits.charAt(i + 1) - '0' : 0;
      out.writeByte((10 * d1 + d2 + 1) ^ flip);
    }
    out.writeByte(flip);
  }

  @Override
  public Object decode(ByteInput in) {
    int sign = in.readUnsignedByte();
    if (sign == ZERO) {
      return DecimalData.zero(precision, scale);
    }
    if (sign != NEGATIVE && sign != POSITIVE) {
      throw in.corrupt("decimal sign byte " + sign);
    }
    int flip = sign == NEGATIVE ? 0xFF : 0;
    int exponent = (in.readUnsignedByte() ^ flip) - 128;
    StringBuilder digits = new StringBuilder();
    while (true) {
      int b = in.readUnsignedByte() ^ flip;
      if (b == 0) {
        break;
      }
      if (b > 100) {
        throw in.corrupt("decimal digit byte " + b);
      }
      digits.append((char) ('0' + (b - 1) / 10)).append((char) ('0' + (b - 1) % 10));
    }
    if (digits.length() == 0) {
      throw in.corrupt("decimal without digits");
    }
    BigInteger unscaled = new BigInteger(digits.toString());
    BigDecimal v =
        new BigDecimal(sign == NEGATIVE ? unscaled.negate() : unscaled, digits.length() - exponent);
    DecimalData d = DecimalData.fromBigDecimal(v, precision, scale);
    if (d == null) {
      throw in.corrupt("decimal " + v + " does not fit DECIMAL(" + precision + ", " + scale + ")");
    }
    return d;
  }
}
