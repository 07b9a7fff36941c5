package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.junit.jupiter.api.Test;

/**
 * The schema stored in the table properties and the compatibility of a later declaration: equal or
 * extended by nullable columns at the end is accepted (with the properties to commit), every other
 * change is refused naming each column that differs.
 */
class SchemaCompatibilityTest {
  private static IsleTableSchema schema(String columns, String... pk) {
    List<RowType.RowField> fields = new java.util.ArrayList<>();
    for (String c : columns.split(";")) {
      String[] nt = c.trim().split(" ", 2);
      LogicalType t =
          LogicalTypeParser.parse(nt[1], SchemaCompatibilityTest.class.getClassLoader());
      fields.add(new RowType.RowField(nt[0], t));
    }
    return IsleTableSchema.of(new RowType(false, fields), List.of(pk));
  }

  private static final IsleTableSchema V0 =
      schema("id BIGINT NOT NULL; customer STRING; amount DECIMAL(10, 2); ts TIMESTAMP(3)", "id");

  private static SchemaHistory stored(IsleTableSchema... versions) {
    Map<String, String> props = new HashMap<>();
    SchemaHistory h = SchemaHistory.empty();
    for (IsleTableSchema v : versions) {
      SchemaCompatibility.Resolution r = SchemaCompatibility.resolve("t", h, v);
      props.putAll(r.propertiesToCommit()); // properties merge, as IsleDB merges them
      h = SchemaHistory.fromProperties(props);
    }
    return h;
  }

  @Test
  void aNewTableStoresVersionZeroAndAnEqualDeclarationReusesIt() {
    SchemaCompatibility.Resolution r = SchemaCompatibility.resolve("t", SchemaHistory.empty(), V0);
    assertThat(r.schema().schemaId()).isZero();
    assertThat(r.propertiesToCommit())
        .containsEntry(SchemaHistory.CURRENT_KEY, "0")
        .containsKey("flink.schema.0");
    SchemaHistory h = SchemaHistory.fromProperties(r.propertiesToCommit());
    assertThat(h.current()).contains(V0.withSchemaId(0));
    SchemaCompatibility.Resolution again = SchemaCompatibility.resolve("t", h, V0);
    assertThat(again.schema().schemaId()).isZero();
    assertThat(again.propertiesToCommit()).isEmpty();
  }

  @Test
  void nullableColumnsAddedAtTheEndMakeANewVersionAndOldDeclarationsKeepTheirs() {
    IsleTableSchema v1 =
        schema(
            "id BIGINT NOT NULL; customer STRING; amount DECIMAL(10, 2); ts TIMESTAMP(3);"
                + " note STRING; tags ARRAY<STRING>",
            "id");
    SchemaHistory h = stored(V0);
    SchemaCompatibility.Resolution r = SchemaCompatibility.resolve("t", h, v1);
    assertThat(r.schema().schemaId()).isEqualTo(1);
    assertThat(r.propertiesToCommit())
        .containsEntry(SchemaHistory.CURRENT_KEY, "1")
        .containsKey("flink.schema.1")
        .doesNotContainKey("flink.schema.0");
    SchemaHistory both = stored(V0, v1);
    assertThat(both.versions()).containsOnlyKeys(0, 1);
    assertThat(both.current().orElseThrow().schemaId()).isEqualTo(1);
    // A job still declaring the old schema uses version 0 and commits nothing.
    SchemaCompatibility.Resolution old = SchemaCompatibility.resolve("t", both, V0);
    assertThat(old.schema().schemaId()).isZero();
    assertThat(old.propertiesToCommit()).isEmpty();
  }

  private static void assertIncompatible(IsleTableSchema declared, String... fragments) {
    assertThatThrownBy(() -> SchemaCompatibility.resolve("file:///w/orders", stored(V0), declared))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("file:///w/orders")
        .hasMessageContaining("adding NULLABLE columns at the end")
        .satisfies(
            e -> {
              for (String f : fragments) {
                assertThat(e.getMessage()).contains(f);
              }
            });
  }

  @Test
  void incompatibleDeclarationsAreRefusedNamingEveryColumnThatDiffers() {
    assertIncompatible(
        schema("id BIGINT NOT NULL; client STRING; amount DECIMAL(10, 2); ts TIMESTAMP(3)", "id"),
        "column 2 is 'customer' STRING in the stored schema but 'client' STRING declared");
    assertIncompatible(
        schema("id BIGINT NOT NULL; customer STRING; amount DECIMAL(12, 2); ts TIMESTAMP(3)", "id"),
        "column 'amount' type differs: stored DECIMAL(10, 2), declared DECIMAL(12, 2)");
    assertIncompatible(
        schema(
            "id BIGINT NOT NULL; customer STRING NOT NULL; amount DECIMAL(10, 2); ts TIMESTAMP(3)",
            "id"),
        "column 'customer' nullability differs: stored STRING, declared STRING NOT NULL");
    assertIncompatible(
        schema("id BIGINT NOT NULL; customer STRING; amount DECIMAL(10, 2)", "id"),
        "column 'ts' TIMESTAMP(3) is stored but not declared");
    assertIncompatible(
        schema(
            "id BIGINT NOT NULL; customer STRING; amount DECIMAL(10, 2); ts TIMESTAMP(3);"
                + " qty INT NOT NULL",
            "id"),
        "added column 'qty' is INT NOT NULL: added columns must be nullable");
    assertIncompatible(
        schema(
            "id BIGINT NOT NULL; customer STRING NOT NULL; amount DECIMAL(10, 2); ts TIMESTAMP(3)",
            "id",
            "customer"),
        "column 'customer' is not in the stored primary key but in the declared one");
    assertIncompatible(
        schema("id BIGINT NOT NULL; customer STRING; amount DECIMAL(10, 2); ts TIMESTAMP(3)"),
        "column 'id' is in the stored primary key but not in the declared one");
    // Several differences are all listed.
    assertIncompatible(
        schema("id INT NOT NULL; customer STRING; amount DECIMAL(10, 2); ts TIMESTAMP(6)", "id"),
        "column 'id' type differs: stored BIGINT NOT NULL, declared INT NOT NULL",
        "column 'ts' type differs: stored TIMESTAMP(3), declared TIMESTAMP(6)");
  }

  @Test
  void keyOrderChangesAreRefused() {
    IsleTableSchema ab = schema("a INT NOT NULL; b INT NOT NULL; v STRING", "a", "b");
    IsleTableSchema ba = schema("a INT NOT NULL; b INT NOT NULL; v STRING", "b", "a");
    assertThatThrownBy(() -> SchemaCompatibility.resolve("t", stored(ab), ba))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("primary key differs: stored [a, b], declared [b, a]");
  }

  @Test
  void malformedOrFutureSchemaPropertiesAreCorruption() {
    Map<String, String> props = new HashMap<>();
    props.putAll(SchemaCompatibility.resolve("t", SchemaHistory.empty(), V0).propertiesToCommit());
    Map<String, String> bad = new HashMap<>(props);
    bad.put("flink.schema.0", "{\"columns\":[");
    assertThatThrownBy(() -> SchemaHistory.fromProperties(bad))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("flink.schema.0");
    Map<String, String> future = new HashMap<>(props);
    future.put(
        "flink.schema.0",
        props.get("flink.schema.0").replace("\"keyEncoding\":1", "\"keyEncoding\":2"));
    assertThatThrownBy(() -> SchemaHistory.fromProperties(future))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("key encoding 2");
    Map<String, String> dangling = new HashMap<>(props);
    dangling.put(SchemaHistory.CURRENT_KEY, "7");
    assertThatThrownBy(() -> SchemaHistory.fromProperties(dangling))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("schema 7");
    // Other properties of the database are ignored.
    Map<String, String> mixed = new HashMap<>(props);
    mixed.put("other.key", "x");
    assertThat(SchemaHistory.fromProperties(mixed).versions()).containsOnlyKeys(0);
    assertThat(SchemaHistory.fromProperties(Map.of("other", "x")).isEmpty()).isTrue();
  }

  @Test
  void theStoredJsonIsStable() {
    IsleTableSchema s = schema("id BIGINT NOT NULL; v STRING", "id").withSchemaId(0);
    // Persisted format (docs/flink-connector.md): a change here breaks stored tables.
    assertThat(SchemaHistory.toJson(s))
        .isEqualTo(
            "{\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT NOT NULL\"},"
                + "{\"name\":\"v\",\"type\":\"VARCHAR(2147483647)\"}],"
                + "\"primaryKey\":[\"id\"],\"keyEncoding\":1,\"valueEncoding\":1}");
  }
}
