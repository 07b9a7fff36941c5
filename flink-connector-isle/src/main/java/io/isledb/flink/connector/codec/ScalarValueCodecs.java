package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.LongFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RawValueData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.bitmap.Bitmap;
import org.apache.flink.types.variant.BinaryVariant;

/**
 * Value codecs of the non-nested types. Every byte layout here is persisted (never change one):
 * integers are zig-zag varints, FLOAT/DOUBLE their IEEE bits big-endian, strings and binaries a
 * varint length and the bytes.
 */
final class ScalarValueCodecs {
  private ScalarValueCodecs() {}

  /** One byte: BOOLEAN (0/1) and TINYINT. */
  static final class OneByte implements ValueFieldCodec {
    private final boolean bool;

    OneByte(boolean bool) {
      this.bool = bool;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      out.writeByte(bool ? ((Boolean) value ? 1 : 0) : (Byte) value);
    }

    @Override
    public Object decode(ByteInput in) {
      int b = in.readUnsignedByte();
      return bool ? (Object) (b != 0) : (Object) (byte) b;
    }

    @Override
    public void skip(ByteInput in) {
      in.skip(1);
    }
  }

  /** A zig-zag varint: SMALLINT, INT, BIGINT, DATE, TIME and the INTERVALs. */
  static final class ZigZag implements ValueFieldCodec {
    private final LongFunction<Object> box;

    ZigZag(LongFunction<Object> box) {
      this.box = box;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      out.writeZigZag(((Number) value).longValue());
    }

    @Override
    public Object decode(ByteInput in) {
      return box.apply(in.readZigZag());
    }

    @Override
    public void skip(ByteInput in) {
      in.readVarint();
    }
  }

  /** FLOAT (4 bytes) and DOUBLE (8 bytes): the raw IEEE 754 bits, big-endian. */
  static final class Ieee implements ValueFieldCodec {
    private final boolean isDouble;

    Ieee(boolean isDouble) {
      this.isDouble = isDouble;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      if (isDouble) {
        out.writeBigEndian(Double.doubleToRawLongBits((Double) value), 8);
      } else {
        out.writeBigEndian(Float.floatToRawIntBits((Float) value), 4);
      }
    }

    @Override
    public Object decode(ByteInput in) {
      return isDouble
          ? (Object) Double.longBitsToDouble(in.readBigEndian(8))
          : (Object) Float.intBitsToFloat((int) in.readBigEndian(4));
    }

    @Override
    public void skip(ByteInput in) {
      in.skip(isDouble ? 8 : 4);
    }
  }

  /**
   * DECIMAL: precision up to 18, the unscaled long as a zig-zag varint; above, a varint length and
   * the unscaled two's-complement big-endian bytes. The scale is the declared one.
   */
  static final class Decimal implements ValueFieldCodec {
    private final int precision;
    private final int scale;
    private final boolean compact;

    /** 10^0 .. 10^18: the bounds of compact unscaled values. */
    private static final long[] POW10 = new long[19];

    static {
      POW10[0] = 1;
      for (int i = 1; i < POW10.length; i++) {
        POW10[i] = POW10[i - 1] * 10;
      }
    }

    Decimal(int precision, int scale) {
      this.precision = precision;
      this.scale = scale;
      this.compact = DecimalData.isCompact(precision);
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      DecimalData d = (DecimalData) value;
      if (d.scale() != scale || d.precision() != precision) {
        d = DecimalData.fromBigDecimal(d.toBigDecimal(), precision, scale);
        if (d == null) {
          throw IsleException.invalidArgument(
              value + " does not fit DECIMAL(" + precision + ", " + scale + ")");
        }
      }
      if (compact) {
        out.writeZigZag(d.toUnscaledLong());
      } else {
        out.writeLengthPrefixed(d.toUnscaledBytes());
      }
    }

    @Override
    public Object decode(ByteInput in) {
      if (compact) {
        long u = in.readZigZag();
        if (u <= -POW10[precision] || u >= POW10[precision]) {
          throw in.corrupt(
              u + " (unscaled) does not fit DECIMAL(" + precision + ", " + scale + ")");
        }
        return DecimalData.fromUnscaledLong(u, precision, scale);
      }
      BigInteger unscaled = unscaledBytes(in.readLengthPrefixed(), in);
      // DecimalData does not check its precision: a value too wide for it is damage.
      DecimalData d = DecimalData.fromBigDecimal(new BigDecimal(unscaled, scale), precision, scale);
      if (d == null) {
        throw in.corrupt(
            unscaled + " (unscaled) does not fit DECIMAL(" + precision + ", " + scale + ")");
      }
      return d;
    }

    private static BigInteger unscaledBytes(byte[] b, ByteInput in) {
      if (b.length == 0) {
        throw in.corrupt("DECIMAL without bytes");
      }
      return new BigInteger(b);
    }

    @Override
    public void skip(ByteInput in) {
      if (compact) {
        in.readVarint();
      } else {
        in.skipLengthPrefixed();
      }
    }
  }

  /** A varint length and bytes: CHAR/VARCHAR (UTF-8), BINARY/VARBINARY, RAW, BITMAP. */
  static final class Bytes implements ValueFieldCodec {
    enum Kind {
      STRING,
      BINARY,
      RAW,
      BITMAP
    }

    private final Kind kind;
    private final TypeSerializer<Object> rawSerializer;

    @SuppressWarnings("unchecked")
    Bytes(Kind kind, TypeSerializer<?> rawSerializer) {
      this.kind = kind;
      this.rawSerializer = (TypeSerializer<Object>) rawSerializer;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void encode(Object value, ByteOutput out) {
      switch (kind) {
        case STRING:
          out.writeLengthPrefixed(((StringData) value).toBytes());
          break;
        case BINARY:
          out.writeLengthPrefixed((byte[]) value);
          break;
        case RAW:
          out.writeLengthPrefixed(((RawValueData<Object>) value).toBytes(rawSerializer));
          break;
        default:
          out.writeLengthPrefixed(((Bitmap) value).toBytes());
      }
    }

    @Override
    public Object decode(ByteInput in) {
      byte[] b = in.readLengthPrefixed();
      switch (kind) {
        case STRING:
          return StringData.fromBytes(b);
        case BINARY:
          return b;
        case RAW:
          return RawValueData.fromBytes(b);
        default:
          try {
            return Bitmap.fromBytes(b);
          } catch (RuntimeException e) {
            throw in.corrupt("malformed BITMAP", e);
          }
      }
    }

    @Override
    public void skip(ByteInput in) {
      in.skipLengthPrefixed();
    }
  }

  /**
   * TIMESTAMP(p) and TIMESTAMP_LTZ(p): epoch milliseconds as a zig-zag varint, then (precision
   * above 3 only) the nanoseconds within the millisecond as a varint.
   */
  static final class Timestamp implements ValueFieldCodec {
    private final boolean withNanos;

    Timestamp(int precision) {
      this.withNanos = precision > 3;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      TimestampData t = (TimestampData) value;
      out.writeZigZag(t.getMillisecond());
      if (withNanos) {
        out.writeVarint(t.getNanoOfMillisecond());
      }
    }

    @Override
    public Object decode(ByteInput in) {
      long millis = in.readZigZag();
      if (!withNanos) {
        return TimestampData.fromEpochMillis(millis);
      }
      long nanos = in.readVarint();
      if (nanos < 0 || nanos > 999_999) {
        throw in.corrupt("nano of millisecond " + nanos);
      }
      return TimestampData.fromEpochMillis(millis, (int) nanos);
    }

    @Override
    public void skip(ByteInput in) {
      in.readVarint();
      if (withNanos) {
        in.readVarint();
      }
    }
  }

  /** VARIANT: its value bytes then its metadata bytes, each with a varint length. */
  static final class Variant implements ValueFieldCodec {
    @Override
    public void encode(Object value, ByteOutput out) {
      BinaryVariant v = (BinaryVariant) value;
      out.writeLengthPrefixed(v.getValue());
      out.writeLengthPrefixed(v.getMetadata());
    }

    @Override
    public Object decode(ByteInput in) {
      byte[] value = in.readLengthPrefixed();
      byte[] metadata = in.readLengthPrefixed();
      try {
        return new BinaryVariant(value, metadata);
      } catch (RuntimeException e) {
        throw in.corrupt("malformed VARIANT", e);
      }
    }

    @Override
    public void skip(ByteInput in) {
      in.skipLengthPrefixed();
      in.skipLengthPrefixed();
    }
  }

  /** The NULL type: every value is null, so nothing is ever written. */
  static final class NullOnly implements ValueFieldCodec {
    @Override
    public void encode(Object value, ByteOutput out) {}

    @Override
    public Object decode(ByteInput in) {
      return null;
    }

    @Override
    public void skip(ByteInput in) {}
  }
}
