package io.isledb.flink.connector.codec;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;

/**
 * The key codec of each type allowed in a primary key (docs/flink-connector.md, "Row encoding").
 * Every byte layout here is persisted: never change one; a new layout needs a new key-encoding
 * version ({@link IsleTableSchema#KEY_ENCODING_VERSION}).
 */
final class KeyFieldCodecs {
  /** Escapes a 0x00 inside a string or binary: never change. */
  static final int ESCAPE_BYTE = 0xFF;

  /**
   * Ends a string or binary after its 0x00: never change (below the escape, so a prefix sorts
   * first).
   */
  static final int TERMINATOR_BYTE = 0x01;

  private KeyFieldCodecs() {}

  /**
   * The codec of a key column.
   *
   * @throws ValidationException naming the column and type if the type cannot be a key column or is
   *     nullable
   */
  static KeyFieldCodec forColumn(String column, LogicalType type) {
    if (type.isNullable()) {
      throw new ValidationException(
          "IsleDB primary key column '"
              + column
              + "' has the nullable type "
              + type.asSummaryString()
              + ": key columns must be NOT NULL");
    }
    switch (type.getTypeRoot()) {
      case BOOLEAN:
        return new Bool();
      case TINYINT:
        return new SignedFixed(1);
      case SMALLINT:
        return new SignedFixed(2);
      case INTEGER:
      case DATE:
      case TIME_WITHOUT_TIME_ZONE:
      case INTERVAL_YEAR_MONTH:
        return new SignedFixed(4);
      case BIGINT:
      case INTERVAL_DAY_TIME:
        return new SignedFixed(8);
      case DECIMAL:
        DecimalType d = (DecimalType) type;
        return new OrderedDecimalCodec(d.getPrecision(), d.getScale());
      case CHAR:
      case VARCHAR:
        return new Terminated(true);
      case BINARY:
      case VARBINARY:
        return new Terminated(false);
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return new Timestamp(((TimestampType) type).getPrecision());
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return new Timestamp(((LocalZonedTimestampType) type).getPrecision());
      default:
        throw new ValidationException(
            "IsleDB primary key column '"
                + column
                + "' has the type "
                + type.asSummaryString()
                + ", which cannot be part of a key. Key columns may be TINYINT, SMALLINT, INT,"
                + " BIGINT, DECIMAL, CHAR, VARCHAR, BOOLEAN, DATE, TIME, TIMESTAMP,"
                + " TIMESTAMP_LTZ, BINARY, VARBINARY or an INTERVAL (not FLOAT or DOUBLE:"
                + " approximate numbers are no identity, -0.0 = 0.0 and NaN have no byte order)");
    }
  }

  /** Big-endian two's complement with the sign bit flipped: negatives sort first. */
  static final class SignedFixed implements KeyFieldCodec {
    private final int bytes;
    private final long signBit;

    SignedFixed(int bytes) {
      this.bytes = bytes;
      this.signBit = 1L << (8 * bytes - 1);
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      out.writeBigEndian(((Number) value).longValue() ^ signBit, bytes);
    }

    @Override
    public Object decode(ByteInput in) {
      long raw = in.readBigEndian(bytes) ^ signBit;
      int shift = 64 - 8 * bytes;
      long v = (raw << shift) >> shift;
      switch (bytes) {
        case 1:
          return (byte) v;
        case 2:
          return (short) v;
        case 4:
          return (int) v;
        default:
          return v;
      }
    }
  }

  /** false = 0x00, true = 0x01. */
  static final class Bool implements KeyFieldCodec {
    @Override
    public void encode(Object value, ByteOutput out) {
      out.writeByte((Boolean) value ? 1 : 0);
    }

    @Override
    public Object decode(ByteInput in) {
      int b = in.readUnsignedByte();
      if (b > 1) {
        throw in.corrupt("boolean key byte " + b);
      }
      return b == 1;
    }
  }

  /**
   * Strings (UTF-8, whose unsigned byte order is Flink's string order) and binaries: each 0x00 is
   * written 0x00 0xFF and the value ends with 0x00 0x01, so a value sorts before its extensions and
   * the terminator sorts below every continuation.
   */
  static final class Terminated implements KeyFieldCodec {
    private final boolean string;

    Terminated(boolean string) {
      this.string = string;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      encodeUnterminated(value, out);
      out.writeByte(0);
      out.writeByte(TERMINATOR_BYTE);
    }

    /**
     * The escaped bytes without the terminator: a byte prefix of the encoding of every value that
     * starts with {@code value} (the key range of {@code LIKE 'abc%'}).
     */
    void encodeUnterminated(Object value, ByteOutput out) {
      byte[] b = string ? ((StringData) value).toBytes() : (byte[]) value;
      int start = 0;
      for (int i = 0; i < b.length; i++) {
        if (b[i] == 0) {
          out.writeBytes(b, start, i + 1 - start);
          out.writeByte(ESCAPE_BYTE);
          start = i + 1;
        }
      }
      out.writeBytes(b, start, b.length - start);
    }

    @Override
    public Object decode(ByteInput in) {
      ByteOutput raw = new ByteOutput(32);
      while (true) {
        int b = in.readUnsignedByte();
        if (b != 0) {
          raw.writeByte(b);
          continue;
        }
        int next = in.readUnsignedByte();
        if (next == TERMINATOR_BYTE) {
          break;
        }
        if (next != ESCAPE_BYTE) {
          throw in.corrupt("bad escape 0x00 0x" + Integer.toHexString(next) + " in a key string");
        }
        raw.writeByte(0);
      }
      byte[] bytes = raw.toByteArray();
      return string ? StringData.fromBytes(bytes) : bytes;
    }
  }

  /**
   * Epoch milliseconds as a sign-flipped big-endian long, then (precision above 3 only) the
   * nanoseconds within the millisecond (0..999,999) as 3 big-endian bytes: the order of {@link
   * TimestampData#compareTo}. Precision 0..3 stores no nanoseconds, as Flink's own serializer.
   */
  static final class Timestamp implements KeyFieldCodec {
    private final boolean withNanos;

    Timestamp(int precision) {
      this.withNanos = precision > 3;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      TimestampData t = (TimestampData) value;
      out.writeBigEndian(t.getMillisecond() ^ Long.MIN_VALUE, 8);
      if (withNanos) {
        out.writeBigEndian(t.getNanoOfMillisecond(), 3);
      }
    }

    @Override
    public Object decode(ByteInput in) {
      long millis = in.readBigEndian(8) ^ Long.MIN_VALUE;
      if (!withNanos) {
        return TimestampData.fromEpochMillis(millis);
      }
      int nanos = (int) in.readBigEndian(3);
      if (nanos > 999_999) {
        throw in.corrupt("nano of millisecond " + nanos);
      }
      return TimestampData.fromEpochMillis(millis, nanos);
    }
  }
}
