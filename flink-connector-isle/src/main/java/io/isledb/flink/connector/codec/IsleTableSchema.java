package io.isledb.flink.connector.codec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * One version of a table's schema as stored with the data: the physical columns (name and {@link
 * LogicalType#asSerializableString()}), the primary key column names (empty for an append-only
 * table), the key and value encoding versions, and the schema id that every value written with it
 * carries. Stored by {@link SchemaHistory} in the table properties.
 *
 * @param schemaId the id values written with this schema start with, or {@link #UNASSIGNED}
 */
public record IsleTableSchema(
    int schemaId,
    List<ColumnSpec> columns,
    List<String> primaryKey,
    int keyEncodingVersion,
    int valueEncodingVersion)
    implements Serializable {

  /** The key encoding this build writes and reads (KeyFieldCodecs): never change its meaning. */
  public static final int KEY_ENCODING_VERSION = 1;

  /** The value encoding this build writes and reads (ValueEncoder): never change its meaning. */
  public static final int VALUE_ENCODING_VERSION = 1;

  /** The id of a declared schema not (yet) matched to a stored version. */
  public static final int UNASSIGNED = -1;

  /** A column: its name and the serialisable string of its logical type (with nullability). */
  public record ColumnSpec(String name, String type) implements Serializable {
    public ColumnSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }

    /**
     * Whether the column's type is nullable (the serialisable string ends with NOT NULL if not).
     */
    public boolean nullable() {
      return !type.endsWith("NOT NULL");
    }
  }

  public IsleTableSchema {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    for (String k : primaryKey) {
      if (columns.stream().noneMatch(c -> c.name().equals(k))) {
        throw new ValidationException("primary key column '" + k + "' is not a column");
      }
    }
  }

  /** A declared schema (id {@link #UNASSIGNED}) of a physical row type and its primary key. */
  public static IsleTableSchema of(RowType rowType, List<String> primaryKey) {
    List<ColumnSpec> cols = new ArrayList<>();
    for (RowType.RowField f : rowType.getFields()) {
      cols.add(new ColumnSpec(f.getName(), serialisable(f.getName(), f.getType())));
    }
    return new IsleTableSchema(
        UNASSIGNED, cols, primaryKey, KEY_ENCODING_VERSION, VALUE_ENCODING_VERSION);
  }

  /** The declared schema of a {@code CREATE TABLE}: its physical columns and primary key. */
  public static IsleTableSchema of(ResolvedSchema schema) {
    List<ColumnSpec> cols = new ArrayList<>();
    for (Column c : schema.getColumns()) {
      if (c.isPhysical()) {
        LogicalType t = c.getDataType().getLogicalType();
        cols.add(new ColumnSpec(c.getName(), serialisable(c.getName(), t)));
      }
    }
    List<String> pk = schema.getPrimaryKey().map(UniqueConstraint::getColumns).orElse(List.of());
    return new IsleTableSchema(UNASSIGNED, cols, pk, KEY_ENCODING_VERSION, VALUE_ENCODING_VERSION);
  }

  private static String serialisable(String column, LogicalType type) {
    try {
      return type.asSerializableString();
    } catch (RuntimeException e) {
      throw new ValidationException(
          "IsleDB cannot store column '"
              + column
              + "' of type "
              + type.asSummaryString()
              + ": the type has no serialisable form to store with the data",
          e);
    }
  }

  /** This schema with another id. */
  public IsleTableSchema withSchemaId(int id) {
    return new IsleTableSchema(id, columns, primaryKey, keyEncodingVersion, valueEncodingVersion);
  }

  /** Whether the table has a primary key (an upsert table) or not (append-only). */
  public boolean hasPrimaryKey() {
    return !primaryKey.isEmpty();
  }

  /** The physical row type, types parsed with the thread's context class loader (RAW types). */
  public RowType rowType() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return rowType(cl != null ? cl : IsleTableSchema.class.getClassLoader());
  }

  /** The physical row type, types parsed with {@code classLoader}. */
  public RowType rowType(ClassLoader classLoader) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (ColumnSpec c : columns) {
      fields.add(new RowType.RowField(c.name(), LogicalTypeParser.parse(c.type(), classLoader)));
    }
    return new RowType(false, fields);
  }

  /** The positions of the primary key columns, in key order. */
  public int[] keyIndices() {
    int[] out = new int[primaryKey.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = indexOf(primaryKey.get(i));
    }
    return out;
  }

  /** The positions of the value columns: the non-key columns in table order (all without a key). */
  public int[] valueIndices() {
    return IntStream.range(0, columns.size())
        .filter(i -> !primaryKey.contains(columns.get(i).name()))
        .toArray();
  }

  /** The position of a column, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
