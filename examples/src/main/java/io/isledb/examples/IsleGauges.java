package io.isledb.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the isle gauges of one run (the state backend's request
 * counts, the connector's store counts and committer progress) so the main job can report them. The
 * MiniCluster runs in the same JVM: the reporter registers itself under the run id given in its
 * configuration ({@code metrics.reporter.isle.run}), and {@link #of} finds it.
 */
public final class IsleGauges implements MetricReporter {
  private static final Map<String, IsleGauges> RUNS = new ConcurrentHashMap<>();

  /** A gauge seen by the reporter: its full identifier, and its value when last read. */
  public static final class Seen {
    private final String id;
    private final Gauge<?> gauge;
    private volatile long last;
    private volatile boolean removed;

    Seen(String id, Gauge<?> gauge) {
      this.id = id;
      this.gauge = gauge;
    }

    /** The metric's identifier (scope and name). */
    public String id() {
      return id;
    }

    /** The current value, or the last one read before the metric was removed. */
    public long value() {
      if (!removed) {
        Object v = gauge.getValue();
        if (v instanceof Number n) {
          last = n.longValue();
        }
      }
      return last;
    }

    void remove() {
      value();
      removed = true;
    }
  }

  private final List<Seen> seen = new ArrayList<>();
  private final Map<Metric, Seen> live = new ConcurrentHashMap<>();
  private String run;

  /** The reporter of a run, or null if none registered (yet). */
  public static IsleGauges of(String run) {
    return RUNS.get(run);
  }

  /** Forgets a finished run. */
  public static void forget(String run) {
    RUNS.remove(run);
  }

  /** Every isle gauge of the run so far, removed ones with their last value. */
  public synchronized List<Seen> gauges() {
    return List.copyOf(seen);
  }

  @Override
  public void open(MetricConfig config) {
    run = config.getString("run", "");
    RUNS.put(run, this);
  }

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    String id = group.getMetricIdentifier(name);
    if (metric instanceof Gauge<?> g && id.contains(".isle.")) {
      Seen s = new Seen(id, g);
      synchronized (this) {
        seen.add(s);
      }
      live.put(metric, s);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    Seen s = live.remove(metric);
    if (s != null) {
      s.remove();
    }
  }

  /** Flink's factory for the reporter ({@code metrics.reporter.isle.factory.class}). */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new IsleGauges();
    }
  }
}
