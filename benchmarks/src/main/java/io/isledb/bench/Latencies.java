package io.isledb.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Recorded latencies in nanoseconds (every sample kept, up to a cap) and their percentiles. */
public final class Latencies {
  private long[] samples;
  private int count;
  private long dropped;

  /** Room for {@code cap} samples; later ones are counted but not kept. */
  public Latencies(int cap) {
    samples = new long[Math.max(16, Math.min(cap, 1 << 16))];
    this.cap = cap;
  }

  private final int cap;

  /** Records one latency. */
  public void add(long nanos) {
    if (count == samples.length) {
      if (count >= cap) {
        dropped++;
        return;
      }
      samples = Arrays.copyOf(samples, (int) Math.min(cap, 2L * samples.length));
    }
    samples[count++] = nanos;
  }

  /** Samples kept. */
  public int count() {
    return count;
  }

  /** The {@code p}-th percentile (0 to 100) in nanoseconds, nearest rank; 0 if empty. */
  public long percentile(double p) {
    if (count == 0) {
      return 0;
    }
    long[] s = Arrays.copyOf(samples, count);
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return s[Math.max(0, Math.min(count - 1, rank - 1))];
  }

  /** p50, p99, p99.9 and max in microseconds, with the sample count. */
  public Map<String, Object> summaryMicros() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (count == 0) {
      return m;
    }
    long[] s = Arrays.copyOf(samples, count);
    Arrays.sort(s);
    m.put("samples", count + dropped);
    m.put("p50_us", micros(s, 50));
    m.put("p99_us", micros(s, 99));
    m.put("p999_us", micros(s, 99.9));
    m.put("max_us", s[count - 1] / 1000.0);
    return m;
  }

  private static double micros(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    long v = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    return Math.round(v / 100.0) / 10.0;
  }
}
