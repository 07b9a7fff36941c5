package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec against a real IsleDB database (isle-core's public API, on file://): the schema travels
 * in the table properties with the data, a later schema with a nullable column added at the end
 * reads old rows with NULL there (and an old reader skips the new column), and key ranges computed
 * by the KeyEncoder select exactly the rows of the predicate in the engine's order.
 */
class RowEncodingInIsleDbTest {
  private static final ClassLoader CL = RowEncodingInIsleDbTest.class.getClassLoader();

  private static RowType rowType(boolean withNote) {
    List<RowType.RowField> f = new ArrayList<>();
    f.add(new RowType.RowField("region", new VarCharType(false, 10)));
    f.add(new RowType.RowField("id", new BigIntType(false)));
    f.add(new RowType.RowField("qty", new IntType()));
    if (withNote) {
      f.add(new RowType.RowField("note", new VarCharType(true, 100)));
    }
    return new RowType(false, f);
  }

  private static final List<String> PK = List.of("region", "id");

  private static SchemaCompatibility.Resolution resolve(Reader r, boolean withNote) {
    return SchemaCompatibility.resolve(
        "mem://orders",
        SchemaHistory.fromProperties(r.properties()),
        IsleTableSchema.of(rowType(withNote), PK));
  }

  private static void write(IsleDB db, SchemaCompatibility.Resolution res, List<RowData> rows) {
    RowCodec codec = RowCodec.create(res.schema(), res.history(), CL);
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (RowData row : rows) {
        w.put(codec.encodeKey(row), codec.encodeValue(row));
      }
      // The schema becomes visible in the same version as the rows written with it.
      w.commitProperties(res.propertiesToCommit());
    }
  }

  private static List<String> scan(Reader r, RowCodec codec, KeyRange range) {
    List<String> out = new ArrayList<>();
    RowCodec.Decoder dec = codec.decoder();
    try (KvIterator it = r.scan(range.fromInclusive(), range.toExclusive())) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.add(dec.decode(kv.key(), kv.value()).toString());
      }
    }
    return out;
  }

  @Test
  void schemaTravelsWithTheDataAndOldRowsReadNewNullableColumnsAsNull(@TempDir Path dir) {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "orders");
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Reader r = db.openReader(ReaderOptions.defaults())) {
      SchemaCompatibility.Resolution v0 = resolve(r, false);
      assertThat(v0.schema().schemaId()).isZero();
      write(
          db,
          v0,
          List.of(
              GenericRowData.of(StringData.fromString("eu"), 2L, 20),
              GenericRowData.of(StringData.fromString("eu"), -5L, null),
              GenericRowData.of(StringData.fromString("us"), 1L, 10)));
      r.refresh();
      assertThat(SchemaHistory.fromProperties(r.properties()).current()).contains(v0.schema());

      SchemaCompatibility.Resolution v1 = resolve(r, true);
      assertThat(v1.schema().schemaId()).isEqualTo(1);
      write(
          db,
          v1,
          List.of(
              GenericRowData.of(StringData.fromString("eu"), 3L, 30, StringData.fromString("new")),
              GenericRowData.of(StringData.fromString("e"), 9L, 90, null)));
      r.refresh();
      SchemaHistory stored = SchemaHistory.fromProperties(r.properties());
      assertThat(stored.versions()).containsOnlyKeys(0, 1);

      RowCodec reader1 = RowCodec.create(stored.get(1).orElseThrow(), stored, CL);
      // Key order: region then id, in SQL order ("e" < "eu" < "us", -5 < 2 < 3).
      assertThat(scan(r, reader1, KeyRange.all()))
          .containsExactly(
              "+I(e,9,90,null)",
              "+I(eu,-5,null,null)",
              "+I(eu,2,20,null)",
              "+I(eu,3,30,new)",
              "+I(us,1,10,null)");
      // A job still on version 0 reads every row, skipping the column it does not know.
      RowCodec reader0 = RowCodec.create(stored.get(0).orElseThrow(), stored, CL);
      assertThat(scan(r, reader0, KeyRange.all()))
          .containsExactly(
              "+I(e,9,90)", "+I(eu,-5,null)", "+I(eu,2,20)", "+I(eu,3,30)", "+I(us,1,10)");

      KeyEncoder keys = reader1.keyEncoder();
      // region = 'eu': a prefix scan; "e" and "us" are outside.
      assertThat(scan(r, reader1, keys.prefixRange(StringData.fromString("eu"))))
          .containsExactly("+I(eu,-5,null,null)", "+I(eu,2,20,null)", "+I(eu,3,30,new)");
      // region = 'eu' AND id > -5 AND id <= 3
      KeyRange range =
          keys.range(
              new Object[] {StringData.fromString("eu")},
              new KeyEncoder.Bound(-5L, false),
              new KeyEncoder.Bound(3L, true));
      assertThat(scan(r, reader1, range)).containsExactly("+I(eu,2,20,null)", "+I(eu,3,30,new)");
      // region < 'eu'
      KeyRange below =
          keys.range(new Object[0], null, new KeyEncoder.Bound(StringData.fromString("eu"), false));
      assertThat(scan(r, reader1, below)).containsExactly("+I(e,9,90,null)");
    }
  }

  @Test
  void appendOnlyTablesStoreTheWholeRowAsTheValue() {
    RowType t =
        RowType.of(new LogicalType[] {new IntType(), new VarCharType(5)}, new String[] {"a", "b"});
    SchemaCompatibility.Resolution res =
        SchemaCompatibility.resolve("t", SchemaHistory.empty(), IsleTableSchema.of(t, List.of()));
    RowCodec codec = RowCodec.create(res.schema(), res.history(), CL);
    assertThat(codec.keyEncoder()).isNull();
    byte[] v = codec.encodeValue(GenericRowData.of(null, StringData.fromString("x")));
    assertThat(codec.decoder().decode(null, v).toString()).isEqualTo("+I(null,x)");
    assertThat(codec.decoder(new int[] {1}).decode(null, v).toString()).isEqualTo("+I(x)");
  }
}
