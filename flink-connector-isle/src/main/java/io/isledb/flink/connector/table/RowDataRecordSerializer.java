package io.isledb.flink.connector.table;

import io.isledb.flink.connector.codec.RowCodec;
import io.isledb.flink.connector.sink.IsleRecordSerializer;
import org.apache.flink.table.data.RowData;

/**
 * The table sink's writes: with a primary key, +I and +U put the row under its encoded key, -D
 * writes a tombstone, -U is dropped (the +U that follows replaces the row); without one, every +I
 * is appended under a key the writer generates.
 */
final class RowDataRecordSerializer implements IsleRecordSerializer<RowData> {
  private static final long serialVersionUID = 1L;

  private final TableSchemaInfo schema;
  private transient RowCodec codec;

  RowDataRecordSerializer(TableSchemaInfo schema) {
    this.schema = schema;
  }

  @Override
  public void serialize(RowData row, Output out) {
    if (codec == null) {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      codec = schema.codec(cl != null ? cl : getClass().getClassLoader());
    }
    switch (row.getRowKind()) {
      case INSERT:
      case UPDATE_AFTER:
        if (schema.hasPrimaryKey()) {
          out.put(codec.encodeKey(row), codec.encodeValue(row));
        } else {
          out.append(codec.encodeValue(row));
        }
        break;
      case DELETE:
        if (schema.hasPrimaryKey()) {
          out.delete(codec.encodeKey(row));
        }
        break;
      default:
        break; // UPDATE_BEFORE: the UPDATE_AFTER of the same key follows
    }
  }
}
