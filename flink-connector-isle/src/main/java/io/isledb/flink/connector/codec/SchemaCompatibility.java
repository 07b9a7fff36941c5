package io.isledb.flink.connector.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * Decides whether a declared schema (a {@code CREATE TABLE}, a DataStream builder) may read and
 * write a table with stored schema versions, and which version id it uses.
 *
 * <p>Rules: a new table stores the declared schema as version 0. A declared schema equal to a
 * stored version (columns with names, types and nullability in order, primary key) uses that
 * version. A declared schema that is the current version plus NULLABLE columns at the end (not in
 * the key) becomes a new version (the properties to commit with the first write say so); older
 * values read the added columns as NULL. Anything else is refused with a {@link
 * ValidationException} that lists every difference (renamed, retyped, nullability changed, dropped,
 * added NOT NULL, key changed): it is what Flink reports for an invalid {@code CREATE TABLE},
 * raised when the planner creates the source or sink.
 */
public final class SchemaCompatibility {
  private SchemaCompatibility() {}

  /**
   * The outcome of a compatible declaration.
   *
   * @param schema the declared schema with its id
   * @param history the stored versions plus {@code schema} if it is new
   * @param propertiesToCommit the table properties to set with the first commit (empty when the
   *     schema is already stored)
   */
  public record Resolution(
      IsleTableSchema schema, SchemaHistory history, Map<String, String> propertiesToCommit) {}

  /**
   * Resolves {@code declared} against the {@code stored} versions.
   *
   * @param table names the table in the error (its path, never credentials)
   * @throws ValidationException listing every column that differs, when incompatible
   */
  public static Resolution resolve(String table, SchemaHistory stored, IsleTableSchema declared) {
    if (stored.isEmpty()) {
      IsleTableSchema s = declared.withSchemaId(0);
      return new Resolution(s, stored.with(s), SchemaHistory.toProperties(s));
    }
    IsleTableSchema match = null;
    for (IsleTableSchema v : stored.versions().values()) {
      if (v.columns().equals(declared.columns()) && v.primaryKey().equals(declared.primaryKey())) {
        match = v; // the newest equal version wins (ascending ids)
      }
    }
    if (match != null) {
      return new Resolution(match, stored, Map.of());
    }
    IsleTableSchema current = stored.current().orElseThrow();
    List<String> diffs = differences(current, declared);
    if (!diffs.isEmpty()) {
      throw new ValidationException(
          "The declared schema of IsleDB table "
              + table
              + " is incompatible with the schema stored with its data (version "
              + current.schemaId()
              + "): "
              + String.join("; ", diffs)
              + ". Compatible changes: adding NULLABLE columns at the end.");
    }
    IsleTableSchema s = declared.withSchemaId(stored.nextId());
    return new Resolution(s, stored.with(s), SchemaHistory.toProperties(s));
  }

  /** Every difference that makes {@code declared} incompatible with {@code stored}. */
  static List<String> differences(IsleTableSchema stored, IsleTableSchema declared) {
    List<String> out = new ArrayList<>();
    List<IsleTableSchema.ColumnSpec> a = stored.columns();
    List<IsleTableSchema.ColumnSpec> b = declared.columns();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      IsleTableSchema.ColumnSpec s = a.get(i);
      IsleTableSchema.ColumnSpec d = b.get(i);
      if (!s.name().equals(d.name())) {
        out.add(
            "column "
                + (i + 1)
                + " is '"
                + s.name()
                + "' "
                + show(s.type())
                + " in the stored schema but '"
                + d.name()
                + "' "
                + show(d.type())
                + " declared");
        continue;
      }
      if (!s.type().equals(d.type())) {
        boolean onlyNullability = baseType(s.type()).equals(baseType(d.type()));
        out.add(
            "column '"
                + s.name()
                + "' "
                + (onlyNullability ? "nullability" : "type")
                + " differs: stored "
                + show(s.type())
                + ", declared "
                + show(d.type()));
      }
      boolean inStoredKey = stored.primaryKey().contains(s.name());
      boolean inDeclaredKey = declared.primaryKey().contains(d.name());
      if (inStoredKey != inDeclaredKey) {
        out.add(
            "column '"
                + s.name()
                + "' is "
                + (inStoredKey ? "" : "not ")
                + "in the stored primary key but "
                + (inDeclaredKey ? "" : "not ")
                + "in the declared one");
      }
    }
    for (int i = b.size(); i < a.size(); i++) {
      out.add(
          "column '"
              + a.get(i).name()
              + "' "
              + show(a.get(i).type())
              + " is stored but not declared");
    }
    for (int i = a.size(); i < b.size(); i++) {
      IsleTableSchema.ColumnSpec d = b.get(i);
      if (declared.primaryKey().contains(d.name())) {
        out.add("added column '" + d.name() + "' cannot join the primary key");
      } else if (!d.nullable()) {
        out.add(
            "added column '"
                + d.name()
                + "' is "
                + show(d.type())
                + ": added columns must be nullable");
      }
    }
    if (out.isEmpty() && !stored.primaryKey().equals(declared.primaryKey())) {
      out.add(
          "primary key differs: stored "
              + stored.primaryKey()
              + ", declared "
              + declared.primaryKey());
    }
    return out;
  }

  /** A type as users write it (STRING, not VARCHAR(2147483647)). */
  private static String show(String type) {
    try {
      return LogicalTypeParser.parse(type, SchemaCompatibility.class.getClassLoader())
          .asSummaryString();
    } catch (RuntimeException e) {
      return type; // RAW of a class this loader does not see: the stored string
    }
  }

  private static String baseType(String type) {
    return type.endsWith(" NOT NULL") ? type.substring(0, type.length() - 9) : type;
  }
}
