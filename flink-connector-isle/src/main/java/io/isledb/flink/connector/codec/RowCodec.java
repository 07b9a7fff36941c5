package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The row encoding of one table for the schema a job resolved (SchemaCompatibility): key and value
 * of a row, and back, with projection. What the table source, sink and lookup use.
 *
 * <p>Encoding is not thread-safe (buffers are reused): one instance per task.
 */
public final class RowCodec {
  private final IsleTableSchema schema;
  private final RowType rowType;
  private final int[] keyIndices;
  private final int[] valueIndices;
  @Nullable private final KeyEncoder keyEncoder;
  private final ValueEncoder valueEncoder;
  private final ValueDecoder valueDecoder;

  private RowCodec(IsleTableSchema schema, SchemaHistory history, ClassLoader classLoader) {
    this.schema = schema;
    this.rowType = schema.rowType(classLoader);
    this.keyIndices = schema.keyIndices();
    this.valueIndices = schema.valueIndices();
    this.keyEncoder = keyIndices.length == 0 ? null : new KeyEncoder(rowType, keyIndices);
    this.valueEncoder = new ValueEncoder(rowType, valueIndices, schema.schemaId());
    Map<Integer, RowType> valueTypes = new HashMap<>();
    for (IsleTableSchema v : history.versions().values()) {
      valueTypes.put(v.schemaId(), valueRowType(v.rowType(classLoader), v.valueIndices()));
    }
    valueTypes.put(schema.schemaId(), valueRowType(rowType, valueIndices));
    this.valueDecoder = new ValueDecoder(valueTypes, valueIndices.length);
  }

  /**
   * The codec of {@code schema} (with its id) reading values of every version in {@code history}.
   *
   * @throws org.apache.flink.table.api.ValidationException if a key column is nullable or of a type
   *     that cannot be a key, or a column type cannot be stored
   */
  public static RowCodec create(
      IsleTableSchema schema, SchemaHistory history, ClassLoader classLoader) {
    return new RowCodec(schema, history, classLoader);
  }

  private static RowType valueRowType(RowType row, int[] indices) {
    return new RowType(
        false, Arrays.stream(indices).mapToObj(i -> row.getFields().get(i)).toList());
  }

  public IsleTableSchema schema() {
    return schema;
  }

  /** The physical row type of the schema. */
  public RowType rowType() {
    return rowType;
  }

  /** The key encoder, or null for an append-only table (the sink generates its keys). */
  @Nullable
  public KeyEncoder keyEncoder() {
    return keyEncoder;
  }

  /** The key of a row of an upsert table. */
  public byte[] encodeKey(RowData row) {
    if (keyEncoder == null) {
      throw IsleException.invalidArgument(
          "IsleDB table without a primary key has no key encoding: the sink generates its keys");
    }
    return keyEncoder.encodeKey(row);
  }

  /** The value of a row: its non-key columns, or the whole row without a primary key. */
  public byte[] encodeValue(RowData row) {
    return valueEncoder.encodeValue(row);
  }

  /** A decoder of every physical column. */
  public Decoder decoder() {
    int[] all = new int[rowType.getFieldCount()];
    Arrays.setAll(all, i -> i);
    return decoder(all);
  }

  /**
   * A decoder producing rows of the physical columns {@code projection} (positions in the schema,
   * in output order); the other value columns are skipped without being materialised.
   */
  public Decoder decoder(int[] projection) {
    int[] outOf = new int[rowType.getFieldCount()];
    Arrays.fill(outOf, -1);
    for (int i = 0; i < projection.length; i++) {
      outOf[projection[i]] = i;
    }
    int[] keyPositions = new int[keyIndices.length];
    boolean needKey = false;
    for (int i = 0; i < keyIndices.length; i++) {
      keyPositions[i] = outOf[keyIndices[i]];
      needKey |= keyPositions[i] >= 0;
    }
    int[] valuePositions = new int[valueIndices.length];
    for (int i = 0; i < valueIndices.length; i++) {
      valuePositions[i] = outOf[valueIndices[i]];
    }
    return new Decoder(projection.length, needKey ? keyPositions : null, valuePositions);
  }

  /** Decodes stored key/value pairs into projected rows. Thread-safe. */
  public final class Decoder {
    private final int arity;
    @Nullable private final int[] keyPositions;
    private final int[] valuePositions;

    private Decoder(int arity, @Nullable int[] keyPositions, int[] valuePositions) {
      this.arity = arity;
      this.keyPositions = keyPositions;
      this.valuePositions = valuePositions;
    }

    /** The row of a stored pair; {@code key} is ignored without a primary key or projected key. */
    public GenericRowData decode(byte[] key, byte[] value) {
      GenericRowData row = new GenericRowData(arity);
      if (keyPositions != null) {
        keyEncoder.decodeKeyInto(key, row, keyPositions);
      }
      valueDecoder.decodeInto(value, row, valuePositions);
      return row;
    }

    /**
     * A row holding only the projected key columns of {@code key} (the others NULL): what a delete
     * of an upsert changelog carries.
     */
    public GenericRowData decodeKeyOnly(byte[] key) {
      GenericRowData row = new GenericRowData(arity);
      if (keyPositions != null) {
        keyEncoder.decodeKeyInto(key, row, keyPositions);
      }
      return row;
    }
  }
}
