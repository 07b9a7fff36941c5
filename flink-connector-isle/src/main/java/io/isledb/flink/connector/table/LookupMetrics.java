package io.isledb.flink.connector.table;

import io.isledb.flink.connector.internal.IsleMetrics;
import org.apache.flink.metrics.MetricGroup;

/** The isle gauges of a lookup function: its shared reader's block cache and store requests. */
final class LookupMetrics {
  private LookupMetrics() {}

  static void register(MetricGroup functionGroup, SharedLookupReaders.Lease lease) {
    MetricGroup isle = functionGroup.addGroup(IsleMetrics.GROUP);
    IsleMetrics.registerBlockCache(isle, () -> lease.reader().stats());
    IsleMetrics.registerStore(isle, () -> lease.reader().stats().storage());
  }
}
