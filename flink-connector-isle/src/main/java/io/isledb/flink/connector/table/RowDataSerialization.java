package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.flink.connector.IsleConnectorOptions;
import io.isledb.flink.connector.codec.SchemaHistory;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.sink.IsleRecordSerializer;
import io.isledb.flink.connector.sink.IsleSink;
import io.isledb.flink.connector.source.IsleRecordDeserializer;
import io.isledb.flink.connector.source.IsleSource;
import io.isledb.flink.connector.source.IsleSourceBuilder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * Ready-made {@link RowData} (de)serializers for the DataStream API, with the same row encoding and
 * the same schema stored with the table as the SQL connector: a DataStream job writing through
 * {@link #sinkBuilder()} and a SQL query over the same path (declared with the same columns and
 * primary key) agree, and so do a SQL {@code INSERT} and {@link #sourceBuilder()}.
 *
 * <pre>{@code
 * RowDataSerialization orders =
 *     RowDataSerialization.forTable("s3a://bucket/tables/orders", hadoopConf, rowType, "id");
 * rows.keyBy(orders.keySelector())
 *     .sinkTo(orders.sinkBuilder().build());
 * env.fromSource(orders.sourceBuilder().bounded().build(), WatermarkStrategy.noWatermarks(), "orders");
 * }</pre>
 *
 * <p>With a primary key the table is an upsert table: +I and +U put the row under its encoded key,
 * -D writes a tombstone, -U is dropped; the source emits snapshot rows as +I, later puts as +U and
 * deletes as -D carrying the key columns (the other columns NULL). Without a primary key every +I
 * row is appended and the source emits +I only. Serializable: build it on the client, ship it in
 * the job.
 */
public final class RowDataSerialization implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TableLocation location;
  private final TableSchemaInfo schema;

  private RowDataSerialization(TableLocation location, TableSchemaInfo schema) {
    this.location = location;
    this.schema = schema;
  }

  /**
   * The rows of the table at {@code path} ({@code s3a://...}, {@code file:///...}), declared as
   * {@code rowType} with the key columns {@code primaryKey} (none: an append-only table). Reads the
   * schema stored with the table (one cold manifest load) and checks the declared one against it.
   *
   * @param hadoopConf Hadoop settings for the store, keys without the {@code hadoop.} prefix
   * @throws ValidationException naming the columns if a key column is nullable or of a type that
   *     cannot be part of a key, or if the stored schema is incompatible; naming the location if it
   *     cannot be read
   */
  public static RowDataSerialization forTable(
      String path, Map<String, String> hadoopConf, RowType rowType, String... primaryKey) {
    return forTableWithOptions(path, prefixed(hadoopConf), rowType, primaryKey);
  }

  /**
   * Like {@link #forTable(String, Map, RowType, String...)}, with the table's options as a {@code
   * CREATE TABLE} gives them: {@code hadoop.*}, {@code s3.*} and the manifest store ({@code
   * manifest.store}, {@code manifest.jdbc.*}); other keys are ignored.
   *
   * @throws IsleException INVALID_ARGUMENT naming an invalid location or manifest option
   */
  public static RowDataSerialization forTableWithOptions(
      String path, Map<String, String> tableOptions, RowType rowType, String... primaryKey) {
    Objects.requireNonNull(rowType, "rowType");
    TableLocation location = TableLocation.of(path, tableOptions);
    int[] key = new int[primaryKey.length];
    for (int i = 0; i < primaryKey.length; i++) {
      key[i] = rowType.getFieldIndex(primaryKey[i]);
      if (key[i] < 0) {
        throw new ValidationException(
            "primary key column '"
                + primaryKey[i]
                + "' is not a column of "
                + rowType.getFieldNames());
      }
    }
    return new RowDataSerialization(
        location, TableSchemaInfo.resolve(location.uri(), rowType, key, location));
  }

  /**
   * Like {@link #forTable(String, Map, RowType, String...)}, with the physical columns and primary
   * key of a resolved schema (for example {@code tableEnv.from("t").getResolvedSchema()}).
   */
  public static RowDataSerialization forTable(
      String path, Map<String, String> hadoopConf, ResolvedSchema schema) {
    RowType rowType = (RowType) schema.toPhysicalRowDataType().getLogicalType();
    List<String> key = schema.getPrimaryKey().map(k -> k.getColumns()).orElse(new ArrayList<>());
    return forTable(path, hadoopConf, rowType, key.toArray(new String[0]));
  }

  private static Map<String, String> prefixed(Map<String, String> hadoopConf) {
    Map<String, String> options = new HashMap<>();
    hadoopConf.forEach((k, v) -> options.put(IsleConnectorOptions.HADOOP_PREFIX + k, v));
    return options;
  }

  /** The declared row type. */
  public RowType rowType() {
    return schema.rowType();
  }

  /** The writes of a RowData changelog (see the class comment). */
  public IsleRecordSerializer<RowData> serializer() {
    return new RowDataRecordSerializer(schema);
  }

  /** The rows of the table, all columns, as a changelog (see the class comment). */
  public IsleRecordDeserializer<RowData> deserializer() {
    return new RowDataRecordDeserializer(
        schema,
        identity(schema.rowType().getFieldCount()),
        schema.hasPrimaryKey(),
        List.of(),
        null,
        -1,
        InternalTypeInfo.of(schema.rowType()));
  }

  /**
   * Keys a stream by the row's encoded primary key, so every write of a key reaches the same writer
   * ({@code rows.keyBy(s.keySelector()).sinkTo(...)}).
   *
   * @throws ValidationException for a table without a primary key
   */
  public KeySelector<RowData, Integer> keySelector() {
    if (!schema.hasPrimaryKey()) {
      throw new ValidationException(location.uri() + " has no primary key to key a stream by");
    }
    return new IsleDynamicTableSink.PrimaryKeyHash(schema);
  }

  /**
   * A sink builder for this table with {@link #serializer()}, whose first commit stores the schema
   * with the table exactly as the SQL sink does; add commit user, TTL, buffer size as needed.
   */
  public IsleSink.Builder<RowData> sinkBuilder() {
    return schemaStoringSinkBuilder(location, schema);
  }

  /** The SQL sink's builder too: one place decides how rows and their schema are written. */
  static IsleSink.Builder<RowData> schemaStoringSinkBuilder(
      TableLocation location, TableSchemaInfo schema) {
    Map<String, String> versions = new HashMap<>(schema.resolution().propertiesToCommit());
    String current = versions.remove(SchemaHistory.CURRENT_KEY);
    return IsleSink.<RowData>builder()
        .location(location)
        .writeOnceTableProperties(versions)
        .tableProperties(current == null ? Map.of() : Map.of(SchemaHistory.CURRENT_KEY, current))
        .serializer(new RowDataRecordSerializer(schema));
  }

  /** A source builder for this table with {@link #deserializer()}; choose bounded or startup. */
  public IsleSourceBuilder<RowData> sourceBuilder() {
    return IsleSource.<RowData>builder().location(location).deserializer(deserializer());
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }
}
