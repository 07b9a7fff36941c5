package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.junit.jupiter.api.Test;

/**
 * The declared schema of a {@code CREATE TABLE} (a ResolvedSchema): physical columns only, the
 * primary key, key/value column positions; an unsupported key type fails when the codec is made.
 */
class IsleTableSchemaTest {
  private static final ClassLoader CL = IsleTableSchemaTest.class.getClassLoader();

  @Test
  void physicalColumnsAndPrimaryKeyOfAResolvedSchema() {
    ResolvedSchema resolved =
        new ResolvedSchema(
            List.of(
                Column.physical("v", DataTypes.STRING()),
                Column.physical("id", DataTypes.BIGINT().notNull()),
                Column.metadata("version", DataTypes.BIGINT(), "version", true),
                Column.physical("day", DataTypes.DATE().notNull())),
            List.of(),
            UniqueConstraint.primaryKey("pk", List.of("day", "id")));
    IsleTableSchema s = IsleTableSchema.of(resolved);
    assertThat(s.columns())
        .extracting(IsleTableSchema.ColumnSpec::name)
        .containsExactly("v", "id", "day");
    assertThat(s.columns().get(0).nullable()).isTrue();
    assertThat(s.columns().get(1).type()).isEqualTo("BIGINT NOT NULL");
    assertThat(s.columns().get(1).nullable()).isFalse();
    assertThat(s.primaryKey()).containsExactly("day", "id");
    assertThat(s.keyIndices()).containsExactly(2, 1);
    assertThat(s.valueIndices()).containsExactly(0);
    assertThat(s.hasPrimaryKey()).isTrue();
    assertThat(s.schemaId()).isEqualTo(IsleTableSchema.UNASSIGNED);
    assertThat(s.rowType(CL).getFieldNames()).containsExactly("v", "id", "day");
  }

  @Test
  void aKeyColumnOfAnUnsupportedTypeFailsWhenTheCodecIsCreated() {
    ResolvedSchema resolved =
        new ResolvedSchema(
            List.of(
                Column.physical("tags", DataTypes.ARRAY(DataTypes.STRING()).notNull()),
                Column.physical("v", DataTypes.STRING())),
            List.of(),
            UniqueConstraint.primaryKey("pk", List.of("tags")));
    IsleTableSchema s = IsleTableSchema.of(resolved).withSchemaId(0);
    assertThatThrownBy(() -> RowCodec.create(s, SchemaHistory.empty(), CL))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'tags'")
        .hasMessageContaining("ARRAY<STRING> NOT NULL");
  }

  @Test
  void timestampWithTimeZoneHasNoStoredForm() {
    ResolvedSchema resolved =
        ResolvedSchema.of(Column.physical("t", DataTypes.TIMESTAMP_WITH_TIME_ZONE(3)));
    IsleTableSchema s = IsleTableSchema.of(resolved).withSchemaId(0);
    assertThatThrownBy(() -> RowCodec.create(s, SchemaHistory.empty(), CL))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("column 't'")
        .hasMessageContaining("TIMESTAMP(3) WITH TIME ZONE");
  }

  @Test
  void aPrimaryKeyNamingNoColumnIsRefused() {
    assertThatThrownBy(
            () ->
                new IsleTableSchema(
                    0,
                    List.of(new IsleTableSchema.ColumnSpec("a", "INT NOT NULL")),
                    List.of("b"),
                    1,
                    1))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'b'");
  }

  @Test
  void schemaHistoryAndRangesShipToTasksByJavaSerialization() throws Exception {
    ResolvedSchema resolved =
        new ResolvedSchema(
            List.of(
                Column.physical("id", DataTypes.BIGINT().notNull()),
                Column.physical("v", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()))),
            List.of(),
            UniqueConstraint.primaryKey("pk", List.of("id")));
    SchemaCompatibility.Resolution r =
        SchemaCompatibility.resolve("t", SchemaHistory.empty(), IsleTableSchema.of(resolved));
    IsleTableSchema schema = org.apache.flink.util.InstantiationUtil.clone(r.schema());
    SchemaHistory history = org.apache.flink.util.InstantiationUtil.clone(r.history());
    assertThat(schema).isEqualTo(r.schema());
    assertThat(history.versions()).isEqualTo(r.history().versions());
    assertThat(history.current()).contains(schema);
    KeyRange range = new KeyRange(new byte[] {1}, null);
    assertThat(org.apache.flink.util.InstantiationUtil.clone(range)).isEqualTo(range);
    // The clones make a working codec in the task.
    RowCodec codec = RowCodec.create(schema, history, CL);
    assertThat(codec.keyEncoder().keyNames()).containsExactly("id");
  }
}
