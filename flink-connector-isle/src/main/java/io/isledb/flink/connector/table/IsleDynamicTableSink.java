package io.isledb.flink.connector.table;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.types.RowKind;

/**
 * The table sink of an isle table: an upsert sink for a table with a primary key (UPDATE_BEFORE
 * dropped, DELETE written as a tombstone), an append-only sink otherwise.
 */
final class IsleDynamicTableSink implements DynamicTableSink {
  private final TableConfig config;
  private final TableSchemaInfo schema;

  IsleDynamicTableSink(TableConfig config, TableSchemaInfo schema) {
    this.config = config;
    this.schema = schema;
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    if (!schema.hasPrimaryKey()) {
      return ChangelogMode.insertOnly();
    }
    return ChangelogMode.newBuilder()
        .addContainedKind(RowKind.INSERT)
        .addContainedKind(RowKind.UPDATE_AFTER)
        .addContainedKind(RowKind.DELETE)
        .build();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    throw new ValidationException("writes to isle tables are not available in this build yet");
  }

  @Override
  public DynamicTableSink copy() {
    return new IsleDynamicTableSink(config, schema);
  }

  @Override
  public String asSummaryString() {
    return config.summary() + (schema.hasPrimaryKey() ? " upsert" : " append-only");
  }
}
