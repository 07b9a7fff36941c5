package io.isledb.flink.connector.codec;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.util.jackson.JacksonMapperFactory;

/**
 * Every schema version of a table, as kept in the IsleDB table properties ({@code
 * ReadView.properties()}, set with {@code IsleDB.commit(..., properties)} or {@code
 * Writer.commitProperties}). Property names and the JSON fields are persisted: never change them.
 *
 * <ul>
 *   <li>{@value #CURRENT_KEY}: the id of the newest schema (decimal);
 *   <li>{@value #SCHEMA_KEY_PREFIX}{@code <id>}: one schema version as JSON {@code
 *       {"columns":[{"name":"id","type":"BIGINT NOT NULL"},...],"primaryKey":["id"],
 *       "keyEncoding":1,"valueEncoding":1}}.
 * </ul>
 *
 * Versions are never removed: a value records the id of the schema it was written with, and a
 * reader decodes it with that version.
 */
public final class SchemaHistory implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Property holding the current schema id: never change. */
  public static final String CURRENT_KEY = "flink.schema.current";

  /** Prefix of the property holding schema version {@code <id>}: never change. */
  public static final String SCHEMA_KEY_PREFIX = "flink.schema.";

  private static final ObjectMapper JSON = JacksonMapperFactory.createObjectMapper();

  private final TreeMap<Integer, IsleTableSchema> versions;
  private final int currentId;

  private SchemaHistory(TreeMap<Integer, IsleTableSchema> versions, int currentId) {
    this.versions = versions;
    this.currentId = currentId;
  }

  /** A table without a stored schema. */
  public static SchemaHistory empty() {
    return new SchemaHistory(new TreeMap<>(), IsleTableSchema.UNASSIGNED);
  }

  /**
   * Reads the schema versions from a table's properties (other properties are ignored).
   *
   * @throws CorruptionException if a schema property is malformed or the current one is missing
   */
  public static SchemaHistory fromProperties(Map<String, String> properties) {
    String current = properties.get(CURRENT_KEY);
    if (current == null) {
      return empty();
    }
    TreeMap<Integer, IsleTableSchema> versions = new TreeMap<>();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(SCHEMA_KEY_PREFIX) || key.equals(CURRENT_KEY)) {
        continue;
      }
      String idText = key.substring(SCHEMA_KEY_PREFIX.length());
      if (!idText.matches("[0-9]{1,9}")) {
        continue;
      }
      int id = Integer.parseInt(idText);
      versions.put(id, parse(id, e.getValue()));
    }
    int currentId;
    try {
      currentId = Integer.parseInt(current);
    } catch (NumberFormatException e) {
      throw new CorruptionException("table property " + CURRENT_KEY + " = '" + current + "'");
    }
    if (!versions.containsKey(currentId)) {
      throw new CorruptionException(
          "table property " + CURRENT_KEY + " names schema " + currentId + ", which is not stored");
    }
    return new SchemaHistory(versions, currentId);
  }

  /** Whether no schema is stored (a new table). */
  public boolean isEmpty() {
    return versions.isEmpty();
  }

  /** The newest schema, if any. */
  public Optional<IsleTableSchema> current() {
    return Optional.ofNullable(versions.get(currentId));
  }

  /** The schema version {@code id}, if stored. */
  public Optional<IsleTableSchema> get(int id) {
    return Optional.ofNullable(versions.get(id));
  }

  /** Every stored version, by id. */
  public Map<Integer, IsleTableSchema> versions() {
    return Collections.unmodifiableMap(versions);
  }

  /** The id the next new version gets. */
  int nextId() {
    return versions.isEmpty() ? 0 : versions.lastKey() + 1;
  }

  /** This history with {@code schema} (which has its id) added as the current version. */
  SchemaHistory with(IsleTableSchema schema) {
    TreeMap<Integer, IsleTableSchema> v = new TreeMap<>(versions);
    v.put(schema.schemaId(), schema);
    return new SchemaHistory(v, schema.schemaId());
  }

  /** The properties that store {@code schema} (with its id) as the current version. */
  public static Map<String, String> toProperties(IsleTableSchema schema) {
    if (schema.schemaId() < 0) {
      throw IsleException.invalidArgument("schema to store has no id: resolve it first");
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put(SCHEMA_KEY_PREFIX + schema.schemaId(), toJson(schema));
    out.put(CURRENT_KEY, Integer.toString(schema.schemaId()));
    return out;
  }

  static String toJson(IsleTableSchema schema) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode cols = root.putArray("columns");
    for (IsleTableSchema.ColumnSpec c : schema.columns()) {
      cols.addObject().put("name", c.name()).put("type", c.type());
    }
    ArrayNode pk = root.putArray("primaryKey");
    schema.primaryKey().forEach(pk::add);
    root.put("keyEncoding", schema.keyEncodingVersion());
    root.put("valueEncoding", schema.valueEncodingVersion());
    return root.toString();
  }

  static IsleTableSchema parse(int id, String json) {
    try {
      JsonNode root = JSON.readTree(json);
      List<IsleTableSchema.ColumnSpec> cols = new ArrayList<>();
      for (JsonNode c : required(root, "columns")) {
        cols.add(
            new IsleTableSchema.ColumnSpec(
                required(c, "name").textValue(), required(c, "type").textValue()));
      }
      List<String> pk = new ArrayList<>();
      for (JsonNode k : required(root, "primaryKey")) {
        pk.add(k.textValue());
      }
      int keyEncoding = required(root, "keyEncoding").intValue();
      int valueEncoding = required(root, "valueEncoding").intValue();
      if (keyEncoding != IsleTableSchema.KEY_ENCODING_VERSION
          || valueEncoding != IsleTableSchema.VALUE_ENCODING_VERSION) {
        throw new CorruptionException(
            "table property "
                + SCHEMA_KEY_PREFIX
                + id
                + " uses key encoding "
                + keyEncoding
                + " / value encoding "
                + valueEncoding
                + "; this connector reads key encoding "
                + IsleTableSchema.KEY_ENCODING_VERSION
                + " and value encoding "
                + IsleTableSchema.VALUE_ENCODING_VERSION
                + " (written by a newer connector?)");
      }
      return new IsleTableSchema(id, cols, pk, keyEncoding, valueEncoding);
    } catch (CorruptionException e) {
      throw e;
    } catch (Exception e) {
      throw new CorruptionException(
          "table property " + SCHEMA_KEY_PREFIX + id + " is not a valid schema: " + e, e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }
}
