package io.isledb.flink.connector.table;

import io.isledb.flink.connector.IsleConnectorOptions.StartupMode;
import io.isledb.flink.connector.codec.KeyEncoder;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.source.IsleSource;
import io.isledb.flink.connector.source.IsleSourceBuilder;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.connector.source.ScanTableSource.ScanContext;
import org.apache.flink.table.connector.source.ScanTableSource.ScanRuntimeProvider;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.RowData;

/**
 * The scan runtime of an isle table source: an {@link IsleSource} over the pushed-down key ranges
 * (splits planned per range, keys between them never read) and limit, with a {@link
 * RowDataRecordDeserializer} that decodes only the projected columns.
 */
final class ScanProviders {
  private ScanProviders() {}

  static ScanRuntimeProvider create(IsleDynamicTableSource source, ScanContext context) {
    TableSchemaInfo schema = source.schema();
    TableConfig config = source.config();
    List<byte[][]> ranges = byteRanges(schema, source.ranges());
    TypeInformation<RowData> type = context.createTypeInformation(source.producedType());
    RowDataRecordDeserializer deserializer =
        new RowDataRecordDeserializer(
            schema,
            source.projection(),
            schema.hasPrimaryKey() && !source.bounded(),
            source.metadataKeys(),
            null, // the source reads only the ranges (IsleSplit.ranges)
            source.bounded() ? source.limit() : -1,
            type);
    IsleSourceBuilder<RowData> b =
        IsleSource.<RowData>builder()
            .location(config.location())
            .deserializer(deserializer)
            .pollInterval(config.pollInterval())
            .pinTtl(config.pinTtl());
    if (config.consumerId() != null) {
      b.consumerId(config.consumerId());
    }
    if (source.bounded()) {
      if (config.startupVersion() != null) {
        b.bounded(config.startupVersion());
      } else {
        b.bounded();
      }
    } else if (config.startupMode() == StartupMode.VERSION) {
      b.startAfterVersion(config.startupVersion());
    } else {
      b.startupMode(config.startupMode());
    }
    if (ranges != null) {
      List<KeyRange> keyRanges = new ArrayList<>();
      for (byte[][] r : ranges) {
        keyRanges.add(new KeyRange(r[0], r[1]));
      }
      b.keyRanges(keyRanges); // empty (a contradiction): nothing to read
    }
    if (source.bounded() && source.limit() >= 0) {
      b.limit(source.limit());
    }
    return SourceProvider.of(b.build());
  }

  /** The key ranges as [from, to) byte pairs, in key order; null for the whole table. */
  static @Nullable List<byte[][]> byteRanges(
      TableSchemaInfo schema, @Nullable List<KeyFilters.Range> ranges) {
    if (ranges == null) {
      return null;
    }
    KeyEncoder keys = schema.codec(ScanProviders.class.getClassLoader()).keyEncoder();
    List<byte[][]> out = new ArrayList<>();
    for (KeyFilters.Range r : ranges) {
      KeyRange kr = keys.range(r.equalPrefix().toArray(), bound(r.lower()), bound(r.upper()));
      if (!kr.isEmpty()) {
        out.add(new byte[][] {kr.fromInclusive(), kr.toExclusive()});
      }
    }
    return out;
  }

  private static @Nullable KeyEncoder.Bound bound(@Nullable KeyFilters.Bound b) {
    return b == null ? null : new KeyEncoder.Bound(b.value(), b.inclusive());
  }
}
