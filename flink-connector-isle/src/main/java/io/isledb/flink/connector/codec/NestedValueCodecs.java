package io.isledb.flink.connector.codec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Value codecs of ROW (and structured types), ARRAY, MAP and MULTISET. Each nested value is a
 * varint length then its body, so skipping it costs one varint. Bodies (never change):
 *
 * <ul>
 *   <li>row: a null bitmap of {@code ceil(fields / 8)} bytes (bit {@code i % 8} of byte {@code i /
 *       8} set = field {@code i} is NULL), then the non-null fields in order;
 *   <li>array: a varint element count, a null bitmap of {@code ceil(count / 8)} bytes, then the
 *       non-null elements;
 *   <li>map and multiset: a varint entry count, the keys as an array body without its count, then
 *       the values likewise (a multiset is a map from element to its INT count).
 * </ul>
 */
final class NestedValueCodecs {
  private NestedValueCodecs() {}

  /** The body of a row: null bitmap, then the non-null fields. Also the top level of a value. */
  static final class RowBody {
    private final ValueFieldCodec[] codecs;
    private final RowData.FieldGetter[] getters;

    RowBody(List<LogicalType> fieldTypes, ValueFieldCodec[] codecs) {
      this.codecs = codecs;
      this.getters = new RowData.FieldGetter[codecs.length];
      for (int i = 0; i < codecs.length; i++) {
        getters[i] = FieldAccess.field(fieldTypes.get(i), i);
      }
    }

    int arity() {
      return codecs.length;
    }

    /** Encodes {@code from[i].getFieldOrNull(row)} as field {@code i} of the body. */
    void encode(RowData row, RowData.FieldGetter[] from, ByteOutput out) {
      int n = codecs.length;
      Object[] values = new Object[n];
      byte[] bitmap = new byte[(n + 7) / 8];
      for (int i = 0; i < n; i++) {
        values[i] = from[i].getFieldOrNull(row);
        if (values[i] == null) {
          bitmap[i >>> 3] |= (byte) (1 << (i & 7));
        }
      }
      out.writeBytes(bitmap);
      for (int i = 0; i < n; i++) {
        if (values[i] != null) {
          codecs[i].encode(values[i], out);
        }
      }
    }

    void encode(RowData row, ByteOutput out) {
      encode(row, getters, out);
    }

    /**
     * Decodes the body into {@code target}: field {@code i} goes to {@code positions[i]}, or is
     * skipped without being materialised when that is negative. Fields beyond the body's arity are
     * left as they are (the caller's NULL).
     */
    void decode(ByteInput in, GenericRowData target, int[] positions) {
      int n = codecs.length;
      byte[] bitmap = in.readBytes((n + 7) / 8);
      for (int i = 0; i < n; i++) {
        if ((bitmap[i >>> 3] & (1 << (i & 7))) != 0) {
          continue;
        }
        int at = positions[i];
        if (at >= 0) {
          target.setField(at, codecs[i].decode(in));
        } else {
          codecs[i].skip(in);
        }
      }
    }
  }

  /** ROW and structured types: a length-prefixed row body. */
  static final class Row implements ValueFieldCodec {
    private final RowBody body;
    private final int[] identity;

    Row(RowBody body) {
      this.body = body;
      this.identity = new int[body.arity()];
      for (int i = 0; i < identity.length; i++) {
        identity[i] = i;
      }
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      int at = out.beginLength();
      body.encode((RowData) value, out);
      out.endLength(at);
    }

    @Override
    public Object decode(ByteInput in) {
      long end = readEnd(in);
      GenericRowData row = new GenericRowData(body.arity());
      body.decode(in, row, identity);
      checkEnd(in, end, "row");
      return row;
    }

    @Override
    public void skip(ByteInput in) {
      in.skipLengthPrefixed();
    }
  }

  /** Array elements without the count: null bitmap then the non-null elements. */
  static final class Elements {
    private final ValueFieldCodec codec;
    private final ArrayData.ElementGetter getter;

    Elements(LogicalType elementType, ValueFieldCodec codec) {
      this.codec = codec;
      this.getter = FieldAccess.element(elementType);
    }

    void encode(ArrayData array, ByteOutput out) {
      int n = array.size();
      byte[] bitmap = new byte[(n + 7) / 8];
      for (int i = 0; i < n; i++) {
        if (array.isNullAt(i)) {
          bitmap[i >>> 3] |= (byte) (1 << (i & 7));
        }
      }
      out.writeBytes(bitmap);
      for (int i = 0; i < n; i++) {
        Object v = getter.getElementOrNull(array, i);
        if (v != null) {
          codec.encode(v, out);
        }
      }
    }

    Object[] decode(ByteInput in, int n) {
      byte[] bitmap = in.readBytes((n + 7) / 8);
      Object[] values = new Object[n];
      for (int i = 0; i < n; i++) {
        if ((bitmap[i >>> 3] & (1 << (i & 7))) == 0) {
          values[i] = codec.decode(in);
        }
      }
      return values;
    }
  }

  /** ARRAY: length, count, elements. */
  static final class Array implements ValueFieldCodec {
    private final Elements elements;

    Array(Elements elements) {
      this.elements = elements;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      ArrayData a = (ArrayData) value;
      int at = out.beginLength();
      out.writeVarint(a.size());
      elements.encode(a, out);
      out.endLength(at);
    }

    @Override
    public Object decode(ByteInput in) {
      long end = readEnd(in);
      GenericArrayData a = new GenericArrayData(elements.decode(in, readCount(in)));
      checkEnd(in, end, "array");
      return a;
    }

    @Override
    public void skip(ByteInput in) {
      in.skipLengthPrefixed();
    }
  }

  /** MAP and MULTISET: length, count, keys, values. */
  static final class MapCodec implements ValueFieldCodec {
    private final Elements keys;
    private final Elements values;

    MapCodec(Elements keys, Elements values) {
      this.keys = keys;
      this.values = values;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
      MapData m = (MapData) value;
      int at = out.beginLength();
      out.writeVarint(m.size());
      keys.encode(m.keyArray(), out);
      values.encode(m.valueArray(), out);
      out.endLength(at);
    }

    @Override
    public Object decode(ByteInput in) {
      long end = readEnd(in);
      int n = readCount(in);
      Object[] k = keys.decode(in, n);
      Object[] v = values.decode(in, n);
      Map<Object, Object> map = new LinkedHashMap<>(Math.max(16, n * 2));
      for (int i = 0; i < n; i++) {
        map.put(k[i], v[i]);
      }
      checkEnd(in, end, "map");
      return new GenericMapData(map);
    }

    @Override
    public void skip(ByteInput in) {
      in.skipLengthPrefixed();
    }
  }

  /** Reads a nested value's length prefix; returns where the value must end. */
  private static long readEnd(ByteInput in) {
    int len = in.readVarint32();
    return (long) in.position() + len;
  }

  private static void checkEnd(ByteInput in, long end, String what) {
    if (in.position() != end) {
      throw in.corrupt(
          "nested " + what + " does not end where its length prefix says (" + end + ")");
    }
  }

  private static int readCount(ByteInput in) {
    int n = in.readVarint32();
    // Every element takes at least one bitmap bit: a count the remaining bytes cannot hold is
    // corruption, refused before allocating for it.
    if (n / 8 > in.array().length - in.position()) {
      throw in.corrupt("element count " + n + " exceeds the value");
    }
    return n;
  }
}
