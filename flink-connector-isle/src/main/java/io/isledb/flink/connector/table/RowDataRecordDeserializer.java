package io.isledb.flink.connector.table;

import io.isledb.flink.connector.codec.RowCodec;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.IsleRecordDeserializer;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * The table source's records: snapshot rows as +I, puts as +U (upsert table, unbounded) or +I,
 * deletes as -D carrying the key columns (others NULL); only the projected columns are decoded, the
 * metadata columns asked for ({@code version}, {@code commit_time}) are appended in the planner's
 * order. Given key ranges it drops keys outside them (the table source's readers read only its
 * ranges already, so it passes none); a pushed-down limit stops the emission of each reader after
 * that many rows (the reader stops reading there too).
 */
final class RowDataRecordDeserializer implements IsleRecordDeserializer<RowData> {
  private static final long serialVersionUID = 1L;

  private final TableSchemaInfo schema;
  private final int[] projection;
  private final boolean upsert;
  private final String[] metadataKeys;
  private final @Nullable List<byte[][]> ranges;
  private final long limit;
  private final TypeInformation<RowData> producedType;

  private transient RowCodec.Decoder decoder;
  private transient long emitted;

  RowDataRecordDeserializer(
      TableSchemaInfo schema,
      int[] projection,
      boolean upsert,
      List<String> metadataKeys,
      @Nullable List<byte[][]> ranges,
      long limit,
      TypeInformation<RowData> producedType) {
    this.schema = schema;
    this.projection = projection.clone();
    this.upsert = upsert;
    this.metadataKeys = metadataKeys.toArray(new String[0]);
    this.ranges = ranges;
    this.limit = limit;
    this.producedType = producedType;
  }

  @Override
  public void open() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    decoder = schema.codec(cl != null ? cl : getClass().getClassLoader()).decoder(projection);
  }

  @Override
  public void deserialize(IsleRecord record, Collector<RowData> out) {
    if (decoder == null) {
      open();
    }
    byte[] key = record.getKey();
    if ((ranges != null && !inRanges(key)) || (limit >= 0 && emitted >= limit)) {
      return;
    }
    GenericRowData row;
    switch (record.getKind()) {
      case SNAPSHOT:
        row = decoder.decode(key, record.getValue());
        break;
      case PUT:
        row = decoder.decode(key, record.getValue());
        row.setRowKind(upsert ? RowKind.UPDATE_AFTER : RowKind.INSERT);
        break;
      case DELETE:
        if (!upsert) {
          return; // an append-only table has no deletes to show (expired rows are not changes)
        }
        row = decoder.decodeKeyOnly(key);
        row.setRowKind(RowKind.DELETE);
        break;
      default:
        throw new IllegalStateException("unknown record kind " + record.getKind());
    }
    if (metadataKeys.length > 0) {
      row = withMetadata(row, record);
    }
    emitted++;
    out.collect(row);
  }

  private GenericRowData withMetadata(GenericRowData row, IsleRecord record) {
    int arity = row.getArity();
    GenericRowData out = new GenericRowData(row.getRowKind(), arity + metadataKeys.length);
    for (int i = 0; i < arity; i++) {
      out.setField(i, row.getField(i));
    }
    for (int i = 0; i < metadataKeys.length; i++) {
      out.setField(arity + i, metadata(metadataKeys[i], record));
    }
    return out;
  }

  private static Object metadata(String key, IsleRecord record) {
    switch (key) {
      case IsleDynamicTableSource.META_VERSION:
        return record.getVersion();
      case IsleDynamicTableSource.META_COMMIT_TIME:
        // Snapshot rows have no single commit: NULL rather than a made-up time.
        return record.getKind() == IsleRecord.Kind.SNAPSHOT || record.getCommitTimeMillis() == 0
            ? null
            : TimestampData.fromEpochMillis(record.getCommitTimeMillis());
      default:
        throw new IllegalArgumentException("unknown metadata column " + key);
    }
  }

  private boolean inRanges(byte[] key) {
    for (byte[][] r : ranges) {
      if ((r[0] == null || Arrays.compareUnsigned(key, r[0]) >= 0)
          && (r[1] == null || Arrays.compareUnsigned(key, r[1]) < 0)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return producedType;
  }
}
