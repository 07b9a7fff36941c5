package io.isledb.flink.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A metric group that keeps its gauges by dotted name ({@code isle.store.get}), for tests. */
public final class CapturingMetricGroup extends UnregisteredMetricsGroup {
  private final Map<String, Metric> metrics;
  private final String prefix;

  public CapturingMetricGroup() {
    this(new TreeMap<>(), "");
  }

  private CapturingMetricGroup(Map<String, Metric> metrics, String prefix) {
    this.metrics = metrics;
    this.prefix = prefix;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new CapturingMetricGroup(metrics, prefix + name + ".");
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    metrics.put(prefix + name, gauge);
    return gauge;
  }

  /** The names registered so far. */
  public java.util.Set<String> names() {
    return metrics.keySet();
  }

  /** The value of the gauge {@code name}, which must exist. */
  public Number value(String name) {
    Metric m = metrics.get(name);
    assertThat(m).as("metric %s among %s", name, metrics.keySet()).isNotNull();
    return (Number) ((Gauge<?>) m).getValue();
  }
}
