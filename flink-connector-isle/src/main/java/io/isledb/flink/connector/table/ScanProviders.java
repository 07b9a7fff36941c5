package io.isledb.flink.connector.table;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.ScanTableSource.ScanContext;
import org.apache.flink.table.connector.source.ScanTableSource.ScanRuntimeProvider;

/** The scan runtime of an isle table source: an IsleSource with a RowData deserializer. */
final class ScanProviders {
  private ScanProviders() {}

  static ScanRuntimeProvider create(IsleDynamicTableSource source, ScanContext context) {
    throw new ValidationException("scans of isle tables are not available in this build yet");
  }
}
