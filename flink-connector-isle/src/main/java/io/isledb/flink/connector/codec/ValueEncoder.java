package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Encodes the value columns of a row: the schema id as a varint, then a row body (null bitmap and
 * the non-null fields, NestedValueCodecs) of the value columns in table order. For an upsert table
 * the value columns are the non-key columns; for an append-only table, every column. Layout:
 * docs/flink-connector.md, "Row encoding".
 *
 * <p>Not thread-safe (it reuses a buffer); one instance per task.
 */
public final class ValueEncoder {
  private final int schemaId;
  private final NestedValueCodecs.RowBody body;
  private final RowData.FieldGetter[] getters;
  private final ByteOutput out = new ByteOutput(256);

  /**
   * @param rowType the table's physical row type
   * @param valueIndices the positions of the value columns in {@code rowType}
   * @param schemaId the id of the schema version the values are written with
   */
  public ValueEncoder(RowType rowType, int[] valueIndices, int schemaId) {
    if (schemaId < 0) {
      throw IsleException.invalidArgument("schema id " + schemaId + " is negative");
    }
    this.schemaId = schemaId;
    List<LogicalType> types = new ArrayList<>();
    ValueFieldCodec[] codecs = new ValueFieldCodec[valueIndices.length];
    getters = new RowData.FieldGetter[valueIndices.length];
    for (int i = 0; i < valueIndices.length; i++) {
      RowType.RowField f = rowType.getFields().get(valueIndices[i]);
      types.add(f.getType());
      codecs[i] = ValueFieldCodecs.forType(f.getName(), f.getType());
      getters[i] = FieldAccess.field(f.getType(), valueIndices[i]);
    }
    body = new NestedValueCodecs.RowBody(types, codecs);
  }

  /** An encoder of the whole row (append-only tables). */
  public static ValueEncoder forFullRow(RowType rowType, int schemaId) {
    return new ValueEncoder(
        rowType, IntStream.range(0, rowType.getFieldCount()).toArray(), schemaId);
  }

  /** The value of a full table row. */
  public byte[] encodeValue(RowData row) {
    out.reset();
    out.writeVarint(schemaId);
    body.encode(row, getters, out);
    return out.toByteArray();
  }
}
