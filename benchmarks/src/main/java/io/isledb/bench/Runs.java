package io.isledb.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one workload on one engine: the figure of each measured run (warm-up excluded),
 * their median, min and max, plus workload-specific details (latency percentiles, request counts).
 */
public final class Runs {
  /** Workload name (fillseq, readrandom-hot, ...). */
  public final String workload;

  /** Engine name. */
  public final String engine;

  /** Unit of the figures, e.g. "ops/s". */
  public final String unit;

  /** One figure per measured run. */
  public final List<Double> runs = new ArrayList<>();

  /** Details: latency percentiles, bytes, requests. */
  public final Map<String, Object> details = new LinkedHashMap<>();

  /** An empty result. */
  public Runs(String workload, String engine, String unit) {
    this.workload = workload;
    this.engine = engine;
    this.unit = unit;
  }

  /** Adds a run's figure. */
  public void add(double v) {
    runs.add(v);
  }

  /** The median of the runs (mean of the middle two for an even count); NaN if none. */
  public double median() {
    if (runs.isEmpty()) {
      return Double.NaN;
    }
    double[] s = runs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The smallest run. */
  public double min() {
    return runs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  /** The largest run. */
  public double max() {
    return runs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** A JSON-friendly form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", workload);
    m.put("engine", engine);
    m.put("unit", unit);
    m.put("median", median());
    m.put("min", min());
    m.put("max", max());
    m.put("runs", runs);
    m.put("details", details);
    return m;
  }

  @Override
  public String toString() {
    return String.format(
        "%-22s %-10s median %,.0f %s (min %,.0f, max %,.0f, runs %s) %s",
        workload,
        engine,
        median(),
        unit,
        min(),
        max(),
        Arrays.toString(runs.stream().mapToLong(Double::longValue).toArray()),
        details);
  }
}
