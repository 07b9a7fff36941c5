package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * The value encoding round-trips a row with one column of every Flink SQL type (nested types with
 * NULLs at every level), through the schema stored as strings, with and without a primary key, and
 * with projection that skips the columns not asked for.
 */
class ValueCodecRoundTripTest {
  private static final long SEED = Long.getLong("codec.seed", 20261130L);
  private static final RowType ROW = AllTypes.rowType();

  private static List<Object> normalised(RowData row, RowType type, int[] columns) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      LogicalType t = type.getTypeAt(columns[i]);
      out.add(AllTypes.normalise(FieldAccess.field(t, i).getFieldOrNull(row), t));
    }
    return out;
  }

  private static List<Object> normalisedFull(RowData row, RowType type, int[] columns) {
    List<Object> out = new ArrayList<>();
    for (int c : columns) {
      LogicalType t = type.getTypeAt(c);
      out.add(AllTypes.normalise(FieldAccess.field(t, c).getFieldOrNull(row), t));
    }
    return out;
  }

  private static int[] all(int n) {
    int[] a = new int[n];
    Arrays.setAll(a, i -> i);
    return a;
  }

  @Test
  void everyTypeRoundTripsAsAFullRowValue() {
    System.out.println("ValueCodecRoundTripTest seed " + SEED);
    Random rnd = new Random(SEED);
    ValueEncoder enc = ValueEncoder.forFullRow(ROW, 300);
    ValueDecoder dec = new ValueDecoder(Map.of(300, ROW), ROW.getFieldCount());
    for (int n = 0; n < 300; n++) {
      GenericRowData row = AllTypes.randomRow(ROW, rnd);
      byte[] value = enc.encodeValue(row);
      assertThat(ValueDecoder.schemaIdOf(value)).isEqualTo(300);
      GenericRowData back = dec.decodeValue(value);
      assertThat(normalised(back, ROW, all(ROW.getFieldCount())))
          .as("seed %d row %d", SEED, n)
          .isEqualTo(normalised(row, ROW, all(ROW.getFieldCount())));
    }
  }

  @Test
  void upsertRowsRoundTripThroughTheStoredSchemaWithProjection() {
    Random rnd = new Random(SEED + 1);
    // Key: the BIGINT NOT NULL column and the NOT NULL string made of column c13's type.
    IsleTableSchema declared =
        IsleTableSchema.of(withKeyColumn(ROW), List.of("k", ROW.getFieldNames().get(4)));
    SchemaCompatibility.Resolution res =
        SchemaCompatibility.resolve("t", SchemaHistory.empty(), declared);
    SchemaHistory stored = SchemaHistory.fromProperties(res.propertiesToCommit());
    IsleTableSchema schema = stored.current().orElseThrow();
    // The stored schema strings parse back to the declared types (RAW, VARIANT, BITMAP included).
    RowType rowType = schema.rowType(getClass().getClassLoader());
    assertThat(rowType).isEqualTo(withKeyColumn(ROW));
    RowCodec codec = RowCodec.create(schema, stored, getClass().getClassLoader());
    int n = rowType.getFieldCount();
    for (int r = 0; r < 200; r++) {
      GenericRowData row = AllTypes.randomRow(rowType, rnd);
      byte[] key = codec.encodeKey(row);
      byte[] value = codec.encodeValue(row);
      assertThat(normalised(codec.decoder().decode(key, value), rowType, all(n)))
          .as("seed %d row %d", SEED, r)
          .isEqualTo(normalised(row, rowType, all(n)));
      // A random projection in random order, key columns included or not.
      List<Integer> cols = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        if (rnd.nextInt(3) == 0) {
          cols.add(c);
        }
      }
      java.util.Collections.shuffle(cols, rnd);
      int[] projection = cols.stream().mapToInt(Integer::intValue).toArray();
      GenericRowData projected = codec.decoder(projection).decode(key, value);
      assertThat(projected.getArity()).isEqualTo(projection.length);
      List<Object> want = normalisedFull(row, rowType, projection);
      List<Object> got = new ArrayList<>();
      for (int i = 0; i < projection.length; i++) {
        LogicalType t = rowType.getTypeAt(projection[i]);
        got.add(AllTypes.normalise(FieldAccess.field(t, i).getFieldOrNull(projected), t));
      }
      assertThat(got)
          .as("seed %d projection %s", SEED, Arrays.toString(projection))
          .isEqualTo(want);
    }
  }

  private static RowType withKeyColumn(RowType row) {
    List<RowType.RowField> fields = new ArrayList<>(row.getFields());
    fields.add(
        0,
        new RowType.RowField(
            "k", new org.apache.flink.table.types.logical.VarCharType(false, 100)));
    return new RowType(false, fields);
  }

  @Test
  void projectionSkipsTheOtherColumnsWithoutDecodingThem() {
    AtomicInteger decoded = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    ValueFieldCodec counting =
        new ValueFieldCodec() {
          final ValueFieldCodec inner = ValueFieldCodecs.forType("c", new IntType());

          @Override
          public void encode(Object value, ByteOutput out) {
            inner.encode(value, out);
          }

          @Override
          public Object decode(ByteInput in) {
            decoded.incrementAndGet();
            return inner.decode(in);
          }

          @Override
          public void skip(ByteInput in) {
            skipped.incrementAndGet();
            inner.skip(in);
          }
        };
    List<LogicalType> types = List.of(new IntType(), new IntType(), new IntType());
    NestedValueCodecs.RowBody body =
        new NestedValueCodecs.RowBody(types, new ValueFieldCodec[] {counting, counting, counting});
    ByteOutput out = new ByteOutput(16);
    body.encode(GenericRowData.of(1, null, 3), out);
    GenericRowData target = new GenericRowData(1);
    body.decode(new ByteInput(out.toByteArray(), "v"), target, new int[] {-1, -1, 0});
    assertThat(target.getInt(0)).isEqualTo(3);
    assertThat(decoded).hasValue(1);
    assertThat(skipped).hasValue(1); // the NULL column costs neither
  }

  @Test
  void nestedValuesAreLengthPrefixedSoASkipIsOneVarint() {
    // A 300-byte string inside a ROW: the ROW's length prefix spans the whole nested value.
    RowType inner =
        RowType.of(
            new LogicalType[] {new org.apache.flink.table.types.logical.VarCharType(1000)},
            new String[] {"s"});
    RowType row = RowType.of(new LogicalType[] {inner, new IntType()}, new String[] {"r", "i"});
    byte[] v =
        ValueEncoder.forFullRow(row, 0)
            .encodeValue(
                GenericRowData.of(
                    GenericRowData.of(
                        org.apache.flink.table.data.StringData.fromString("x".repeat(300))),
                    7));
    ByteInput in = new ByteInput(v, "v");
    assertThat(in.readVarint32()).isZero(); // schema id
    in.readBytes(1); // null bitmap
    int len = in.readVarint32();
    assertThat(len).isEqualTo(1 + 2 + 300); // bitmap, varint length, bytes: no padding
    in.skip(len);
    assertThat(in.readZigZag()).isEqualTo(7);
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void malformedValuesAreCorruptionAndUnknownSchemaIdsAConflict() {
    RowType row =
        RowType.of(new LogicalType[] {new IntType(), new IntType()}, new String[] {"a", "b"});
    byte[] v = ValueEncoder.forFullRow(row, 1).encodeValue(GenericRowData.of(1_000_000, 2));
    ValueDecoder dec = new ValueDecoder(Map.of(1, row), 2);
    assertThatThrownBy(() -> dec.decodeValue(Arrays.copyOf(v, v.length - 1)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("IsleDB value");
    byte[] longer = Arrays.copyOf(v, v.length + 1);
    assertThatThrownBy(() -> dec.decodeValue(longer)).isInstanceOf(CorruptionException.class);
    ValueDecoder other = new ValueDecoder(Map.of(0, row), 2);
    assertThatThrownBy(() -> other.decodeValue(v))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("schema id 1")
        .extracting(e -> ((IsleException) e).kind())
        .isEqualTo(IsleException.Kind.CONFLICT);
  }
}
