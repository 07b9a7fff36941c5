package io.isledb.flink.connector.table;

import io.isledb.flink.connector.codec.KeyEncoder;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.codec.RowCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@link LookupCodec} of an isle table for the lookup columns the planner chose: the leading
 * primary key columns among them form the key prefix (all of them: a point get), the others are
 * matched on the decoded rows. Lookups that constrain no leading key column would scan the whole
 * table per input row and are refused at planning.
 */
final class LookupCodecs {
  private LookupCodecs() {}

  /**
   * @param projection the physical columns the lookup produces, in order
   * @param lookupColumns the physical column of each field of a lookup key row
   * @throws ValidationException if the lookup columns include no leading key column
   */
  static LookupCodec create(TableSchemaInfo schema, int[] projection, int[] lookupColumns) {
    int[] pk = schema.primaryKey();
    List<Integer> prefixFields = new ArrayList<>(); // lookup key row field of key column i
    for (int k : pk) {
      int at = indexOf(lookupColumns, k);
      if (at < 0) {
        break;
      }
      prefixFields.add(at);
    }
    if (prefixFields.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (int c : lookupColumns) {
        names.add(schema.rowType().getFieldNames().get(c));
      }
      throw new ValidationException(
          "a lookup join on the isle table "
              + schema.tableName()
              + " must use the first primary key column: it joins on "
              + names
              + ", the key is "
              + schema.keyNames()
              + " (a lookup is a point get on the whole key or a scan of a key prefix)");
    }
    List<Integer> residualFields = new ArrayList<>();
    for (int f = 0; f < lookupColumns.length; f++) {
      if (!prefixFields.contains(f)) {
        residualFields.add(f);
      }
    }
    return new Codec(
        schema,
        projection.clone(),
        lookupColumns.clone(),
        prefixFields.stream().mapToInt(Integer::intValue).toArray(),
        residualFields.stream().mapToInt(Integer::intValue).toArray());
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private record Codec(
      TableSchemaInfo schema,
      int[] projection,
      int[] lookupColumns,
      int[] prefixFields,
      int[] residualFields)
      implements LookupCodec {
    @Override
    public Instance open() {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      RowCodec codec = schema.codec(cl != null ? cl : LookupCodecs.class.getClassLoader());
      return new CodecInstance(this, codec);
    }
  }

  private static final class CodecInstance implements LookupCodec.Instance {
    private final Codec spec;
    private final KeyEncoder keys;
    private final RowCodec.Decoder decoder;
    private final RowData.FieldGetter[] lookupGetters;
    private final int[] residualPositions; // in the decoded row
    private final boolean point;
    private final int[] outOfDecoded; // projection positions in the decoded row, or null

    CodecInstance(Codec spec, RowCodec codec) {
      this.spec = spec;
      this.keys = Objects.requireNonNull(codec.keyEncoder());
      RowType rowType = spec.schema.rowType();
      this.lookupGetters = new RowData.FieldGetter[spec.lookupColumns.length];
      for (int f = 0; f < lookupGetters.length; f++) {
        lookupGetters[f] =
            RowData.createFieldGetter(rowType.getTypeAt(spec.lookupColumns[f]).copy(true), f);
      }
      this.point = spec.prefixFields.length == keys.keyArity();
      if (spec.residualFields.length == 0) {
        this.decoder = codec.decoder(spec.projection);
        this.residualPositions = new int[0];
        this.outOfDecoded = null;
      } else {
        // Decode the projection plus the residual lookup columns, match, then project.
        int[] decoded = Arrays.copyOf(spec.projection, spec.projection.length);
        this.residualPositions = new int[spec.residualFields.length];
        for (int i = 0; i < residualPositions.length; i++) {
          int column = spec.lookupColumns[spec.residualFields[i]];
          int at = indexOf(decoded, column);
          if (at < 0) {
            decoded = Arrays.copyOf(decoded, decoded.length + 1);
            decoded[decoded.length - 1] = column;
            at = decoded.length - 1;
          }
          residualPositions[i] = at;
        }
        this.decoder = codec.decoder(decoded);
        this.outOfDecoded =
            decoded.length == spec.projection.length ? null : new int[spec.projection.length];
        if (outOfDecoded != null) {
          Arrays.setAll(outOfDecoded, i -> i);
        }
      }
    }

    @Override
    public boolean pointLookups() {
      return point;
    }

    @Override
    public boolean anyNull(RowData lookupKey) {
      for (int f = 0; f < lookupGetters.length; f++) {
        if (lookupGetters[f].getFieldOrNull(lookupKey) == null) {
          return true; // SQL equality with NULL matches nothing
        }
      }
      return false;
    }

    @Override
    public byte[] fullKey(RowData lookupKey) {
      return keys.encodePrefix(prefixValues(lookupKey));
    }

    @Override
    public byte[] prefixFrom(RowData lookupKey) {
      return range(lookupKey).fromInclusive();
    }

    @Override
    public @Nullable byte[] prefixTo(RowData lookupKey) {
      return range(lookupKey).toExclusive();
    }

    private KeyRange range(RowData lookupKey) {
      return keys.prefixRange(prefixValues(lookupKey));
    }

    private Object[] prefixValues(RowData lookupKey) {
      Object[] values = new Object[spec.prefixFields.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = lookupGetters[spec.prefixFields[i]].getFieldOrNull(lookupKey);
      }
      return values;
    }

    @Override
    public @Nullable RowData decode(byte[] key, byte[] value, RowData lookupKey) {
      GenericRowData row = decoder.decode(key, value);
      for (int i = 0; i < residualPositions.length; i++) {
        Object want = lookupGetters[spec.residualFields[i]].getFieldOrNull(lookupKey);
        if (!equal(row.getField(residualPositions[i]), want)) {
          return null;
        }
      }
      if (outOfDecoded == null) {
        return row;
      }
      GenericRowData out = new GenericRowData(outOfDecoded.length);
      for (int i = 0; i < outOfDecoded.length; i++) {
        out.setField(i, row.getField(outOfDecoded[i]));
      }
      return out;
    }

    private static boolean equal(Object a, Object b) {
      if (a instanceof byte[] x && b instanceof byte[] y) {
        return Arrays.equals(x, y);
      }
      return Objects.equals(a, b);
    }
  }
}
