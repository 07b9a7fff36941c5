package io.isledb.bench.flink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps the gauges a keyed backend registers, so the benchmark reads a
 * backend's own counters (the isle backend's storage requests and bytes, group {@code isle}) the
 * way a metrics reporter would, without reaching into the backend.
 */
final class GaugeCapture extends UnregisteredMetricsGroup {
  private final Map<String, Gauge<?>> gauges;
  private final String prefix;

  GaugeCapture() {
    this(new ConcurrentHashMap<>(), "");
  }

  private GaugeCapture(Map<String, Gauge<?>> gauges, String prefix) {
    this.gauges = gauges;
    this.prefix = prefix;
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    gauges.put(prefix + name, gauge);
    return gauge;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new GaugeCapture(gauges, prefix + name + ".");
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return new GaugeCapture(gauges, prefix + key + "." + value + ".");
  }

  /** The value of a numeric gauge, or -1 if the backend registered none of that name. */
  long value(String name) {
    Gauge<?> g = gauges.get(name);
    return g != null && g.getValue() instanceof Number n ? n.longValue() : -1;
  }
}
