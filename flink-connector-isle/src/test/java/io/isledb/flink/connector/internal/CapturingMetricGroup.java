package io.isledb.flink.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps its gauges and counters by dotted name ({@code isle.store.get}) and
 * notes names registered twice, for tests.
 */
public final class CapturingMetricGroup extends UnregisteredMetricsGroup {
  private final Map<String, Metric> metrics;
  private final java.util.List<String> duplicates;
  private final String prefix;

  public CapturingMetricGroup() {
    this(new TreeMap<>(), new java.util.ArrayList<>(), "");
  }

  private CapturingMetricGroup(
      Map<String, Metric> metrics, java.util.List<String> duplicates, String prefix) {
    this.metrics = metrics;
    this.duplicates = duplicates;
    this.prefix = prefix;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new CapturingMetricGroup(metrics, duplicates, prefix + name + ".");
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    register(name, gauge);
    return gauge;
  }

  @Override
  public <C extends org.apache.flink.metrics.Counter> C counter(String name, C counter) {
    register(name, counter);
    return counter;
  }

  @Override
  public org.apache.flink.metrics.Counter counter(String name) {
    return counter(name, new org.apache.flink.metrics.SimpleCounter());
  }

  private void register(String name, Metric metric) {
    if (metrics.put(prefix + name, metric) != null) {
      duplicates.add(prefix + name);
    }
  }

  /** Names registered more than once (a second registration replaces the first). */
  public java.util.List<String> duplicates() {
    return duplicates;
  }

  /** The names registered so far. */
  public java.util.Set<String> names() {
    return metrics.keySet();
  }

  /** The count of the counter {@code name}, which must exist. */
  public long count(String name) {
    Metric m = metrics.get(name);
    assertThat(m).as("metric %s among %s", name, metrics.keySet()).isNotNull();
    return ((org.apache.flink.metrics.Counter) m).getCount();
  }

  /** The value of the gauge {@code name}, which must exist. */
  public Number value(String name) {
    Metric m = metrics.get(name);
    assertThat(m).as("metric %s among %s", name, metrics.keySet()).isNotNull();
    return (Number) ((Gauge<?>) m).getValue();
  }
}
