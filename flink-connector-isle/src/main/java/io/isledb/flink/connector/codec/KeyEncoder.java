package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Encodes the primary key columns of a row into an IsleDB key whose unsigned byte order is the SQL
 * order of the keys (column by column), and back. The key is the concatenation of each key column's
 * {@link KeyFieldCodec} encoding, in primary-key order, without tags or lengths: every column
 * encoding is self-delimiting, so the encoding of the first {@code n} key columns is a byte prefix
 * of the whole key, which is what prefix lookups and key-range push-down build on.
 *
 * <p>Not thread-safe (it reuses a buffer); one instance per task.
 */
public final class KeyEncoder {
  private final String[] names;
  private final LogicalType[] types;
  private final KeyFieldCodec[] codecs;
  private final RowData.FieldGetter[] rowGetters;
  private final RowData.FieldGetter[] keyRowGetters;
  private final ByteOutput out = new ByteOutput(64);

  /**
   * @param rowType the table's physical row type
   * @param keyIndices the positions of the primary key columns in {@code rowType}, in key order
   * @throws ValidationException naming the column and type if a key column is nullable or of a type
   *     that cannot be part of a key
   */
  public KeyEncoder(RowType rowType, int[] keyIndices) {
    if (keyIndices.length == 0) {
      throw new ValidationException("an IsleDB key needs at least one primary key column");
    }
    List<RowType.RowField> fields = rowType.getFields();
    int n = keyIndices.length;
    names = new String[n];
    types = new LogicalType[n];
    codecs = new KeyFieldCodec[n];
    rowGetters = new RowData.FieldGetter[n];
    keyRowGetters = new RowData.FieldGetter[n];
    for (int i = 0; i < n; i++) {
      RowType.RowField f = fields.get(keyIndices[i]);
      names[i] = f.getName();
      types[i] = f.getType();
      codecs[i] = KeyFieldCodecs.forColumn(f.getName(), f.getType());
      rowGetters[i] = RowData.createFieldGetter(f.getType().copy(true), keyIndices[i]);
      keyRowGetters[i] = RowData.createFieldGetter(f.getType().copy(true), i);
    }
  }

  /** The names of the key columns, in key order. */
  public List<String> keyNames() {
    return List.of(names);
  }

  /** The type of key column {@code i} (key order). */
  public LogicalType keyType(int i) {
    return types[i];
  }

  /** The number of key columns. */
  public int keyArity() {
    return codecs.length;
  }

  /** The encoded key of a full table row. */
  public byte[] encodeKey(RowData row) {
    return encode(row, rowGetters, codecs.length);
  }

  /** The encoded key of a row holding only the key columns, in key order. */
  public byte[] encodeKeyRow(RowData keyRow) {
    return encode(keyRow, keyRowGetters, codecs.length);
  }

  /**
   * The encoding of the first {@code values.length} key columns (Flink internal data: {@code
   * StringData}, {@code DecimalData}, {@code TimestampData}, boxed primitives...): a byte prefix of
   * the key of every row with those leading column values. Zero values give the empty prefix.
   */
  public byte[] encodePrefix(Object... values) {
    if (values.length > codecs.length) {
      throw IsleException.invalidArgument(
          values.length + " key prefix values for a key of " + codecs.length + " columns");
    }
    out.reset();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw IsleException.invalidArgument("key column '" + names[i] + "' cannot be NULL");
      }
      codecs[i].encode(values[i], out);
    }
    return out.toByteArray();
  }

  /** Every key whose leading columns equal {@code values} (a prefix lookup). */
  public KeyRange prefixRange(Object... values) {
    return KeyRange.withPrefix(encodePrefix(values));
  }

  /**
   * The keys whose first {@code equalPrefix.length} columns equal {@code equalPrefix} and whose
   * next column lies between {@code lower} and {@code upper} (each null for unbounded): the key
   * range of a conjunction {@code k1 = a AND k2 = b AND c < k3 <= d}.
   */
  public KeyRange range(Object[] equalPrefix, @Nullable Bound lower, @Nullable Bound upper) {
    if ((lower != null || upper != null) && equalPrefix.length >= codecs.length) {
      throw IsleException.invalidArgument(
          "a bounded range needs a column after the " + equalPrefix.length + " equal key columns");
    }
    byte[] prefix = encodePrefix(equalPrefix);
    byte[] from;
    if (lower == null) {
      from = prefix.length == 0 ? null : prefix;
    } else {
      byte[] at = withNext(equalPrefix, lower.value());
      from = lower.inclusive() ? at : KeyBytes.prefixSuccessor(at);
      if (from == null) {
        return new KeyRange(new byte[] {0}, new byte[] {0}); // nothing sorts above all-0xFF keys
      }
    }
    byte[] to;
    if (upper == null) {
      to = KeyBytes.prefixSuccessor(prefix);
    } else {
      byte[] at = withNext(equalPrefix, upper.value());
      to = upper.inclusive() ? KeyBytes.prefixSuccessor(at) : at;
    }
    return new KeyRange(from, to);
  }

  /**
   * The keys whose first {@code equalPrefix.length} columns equal {@code equalPrefix} and whose
   * next column, a string or binary column, starts with {@code startsWith} ({@code StringData} or
   * {@code byte[]}): the key range of {@code k1 = a AND k2 LIKE 'abc%'}.
   *
   * @throws IsleException INVALID_ARGUMENT if that column is not a string or binary column
   */
  public KeyRange startsWithRange(Object[] equalPrefix, Object startsWith) {
    int col = equalPrefix.length;
    if (col >= codecs.length || !(codecs[col] instanceof KeyFieldCodecs.Terminated)) {
      throw IsleException.invalidArgument(
          "a starts-with range needs a string or binary key column after the "
              + col
              + " equal key columns");
    }
    encodePrefix(equalPrefix); // leaves the prefix in the buffer: append to it
    ((KeyFieldCodecs.Terminated) codecs[col]).encodeUnterminated(startsWith, out);
    return KeyRange.withPrefix(out.toByteArray());
  }

  private byte[] withNext(Object[] equalPrefix, Object next) {
    Object[] values = new Object[equalPrefix.length + 1];
    System.arraycopy(equalPrefix, 0, values, 0, equalPrefix.length);
    values[equalPrefix.length] = next;
    return encodePrefix(values);
  }

  /** Decodes a key into a row of the key columns, in key order. */
  public GenericRowData decodeKey(byte[] key) {
    GenericRowData row = new GenericRowData(codecs.length);
    decodeKeyInto(key, row, null);
    return row;
  }

  /**
   * Decodes a key into {@code target}: key column {@code i} goes to {@code positions[i]}, or is
   * skipped when that is negative ({@code positions == null}: position {@code i}).
   */
  public void decodeKeyInto(byte[] key, GenericRowData target, @Nullable int[] positions) {
    ByteInput in = new ByteInput(key, "IsleDB key");
    for (int i = 0; i < codecs.length; i++) {
      Object v = codecs[i].decode(in);
      int at = positions == null ? i : positions[i];
      if (at >= 0) {
        target.setField(at, v);
      }
    }
    if (in.hasRemaining()) {
      throw in.corrupt("trailing bytes after " + codecs.length + " key columns");
    }
  }

  private byte[] encode(RowData row, RowData.FieldGetter[] getters, int n) {
    out.reset();
    for (int i = 0; i < n; i++) {
      Object v = getters[i].getFieldOrNull(row);
      if (v == null) {
        throw IsleException.invalidArgument(
            "key column '" + names[i] + "' (" + types[i].asSummaryString() + ") is NULL");
      }
      codecs[i].encode(v, out);
    }
    return out.toByteArray();
  }

  /** One end of a range on a key column: an internal data value and whether it is included. */
  public record Bound(Object value, boolean inclusive) {}
}
