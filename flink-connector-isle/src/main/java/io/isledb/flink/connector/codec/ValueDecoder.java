package io.isledb.flink.connector.codec;

import io.isledb.IsleException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Decodes values written by {@link ValueEncoder} with any known schema version into the value
 * columns of the reader's schema. Compatible versions differ only by nullable columns added at the
 * end (SchemaCompatibility), so value column {@code i} means the same in every version that has it:
 * a value of an older version reads the columns it lacks as NULL, a value of a newer version has
 * its extra columns skipped. Columns the caller does not ask for are skipped without being
 * materialised.
 *
 * <p>Thread-safe (no mutable state).
 */
public final class ValueDecoder {
  private final Map<Integer, NestedValueCodecs.RowBody> bodies = new HashMap<>();
  private final int arity;

  /**
   * @param valueTypesById the value columns (as a row type) of every schema version that values may
   *     carry
   * @param arity the number of value columns of the reader's schema
   */
  public ValueDecoder(Map<Integer, RowType> valueTypesById, int arity) {
    this.arity = arity;
    for (Map.Entry<Integer, RowType> e : valueTypesById.entrySet()) {
      List<RowType.RowField> fields = e.getValue().getFields();
      ValueFieldCodec[] codecs = new ValueFieldCodec[fields.size()];
      for (int i = 0; i < codecs.length; i++) {
        codecs[i] = ValueFieldCodecs.forType(fields.get(i).getName(), fields.get(i).getType());
      }
      List<LogicalType> types = e.getValue().getChildren();
      bodies.put(e.getKey(), new NestedValueCodecs.RowBody(types, codecs));
    }
  }

  /** The number of value columns of the reader's schema. */
  public int arity() {
    return arity;
  }

  /** The schema id a value was written with. */
  public static int schemaIdOf(byte[] value) {
    return new ByteInput(value, "IsleDB value").readVarint32();
  }

  /** Decodes every value column of the reader's schema into a row of {@link #arity()} fields. */
  public GenericRowData decodeValue(byte[] value) {
    GenericRowData row = new GenericRowData(arity);
    int[] identity = new int[arity];
    Arrays.setAll(identity, i -> i);
    decodeInto(value, row, identity);
    return row;
  }

  /**
   * Decodes a value into {@code target}: value column {@code i} goes to {@code positions[i]}, or is
   * skipped when that is negative. {@code positions} has {@link #arity()} entries. Target fields of
   * columns the value's version lacks are set to NULL.
   *
   * @throws IsleException CONFLICT if the value carries a schema id this decoder does not know (a
   *     newer writer registered a schema after this reader read the table properties: re-read
   *     them), CORRUPTION if the bytes are malformed
   */
  public void decodeInto(byte[] value, GenericRowData target, int[] positions) {
    ByteInput in = new ByteInput(value, "IsleDB value");
    int id = in.readVarint32();
    NestedValueCodecs.RowBody body = bodies.get(id);
    if (body == null) {
      throw new IsleException(
          IsleException.Kind.CONFLICT,
          "IsleDB value written with schema id "
              + id
              + ", which this reader does not know (known: "
              + bodies.keySet()
              + "); re-read the table properties");
    }
    int[] pos = positions;
    if (body.arity() > positions.length) {
      pos = Arrays.copyOf(positions, body.arity());
      Arrays.fill(pos, positions.length, pos.length, -1);
    }
    for (int i = body.arity(); i < positions.length; i++) {
      if (positions[i] >= 0) {
        target.setField(positions[i], null);
      }
    }
    body.decode(in, target, pos);
    if (in.hasRemaining()) {
      throw in.corrupt("trailing bytes after the value columns of schema " + id);
    }
  }
}
