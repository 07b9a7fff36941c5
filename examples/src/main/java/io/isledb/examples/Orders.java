package io.isledb.examples;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;

/**
 * The main job's deterministic order events and the model of its result. Order {@code i} is placed
 * by a customer and for an amount derived from {@code i} alone, at event time {@code i * 50 ms}; so
 * any run (with or without failures) must produce exactly {@link #model}.
 */
public final class Orders {
  /** Milliseconds of event time between two orders. */
  public static final long ORDER_SPACING_MS = 50;

  /** Event-time window length. */
  public static final long WINDOW_MS = JobSettings.ORDERS_PER_WINDOW * ORDER_SPACING_MS;

  private Orders() {}

  /**
   * One order event: {@code f0} order id, {@code f1} customer, {@code f2} amount in cents, {@code
   * f3} event time (ms).
   */
  public static Tuple4<Long, String, Long, Long> order(long i, int customers) {
    long h = mix(i);
    return Tuple4.of(
        i, customer(h, customers), 100 + Math.floorMod(h >>> 20, 9_900L), i * ORDER_SPACING_MS);
  }

  /** The customer of a hash: {@code c00}, {@code c01}, ... */
  static String customer(long h, int customers) {
    return String.format("c%02d", Math.floorMod(h, customers));
  }

  /** Window id of an event time. */
  public static long windowOf(long eventTimeMillis) {
    return eventTimeMillis / WINDOW_MS;
  }

  /** The result of one (customer, window): orders and total amount. */
  public record Total(long orders, BigDecimal amount) {
    public Total {
      Objects.requireNonNull(amount);
      amount = amount.setScale(2);
    }
  }

  /** The key of a result row, ordered by customer then window: {@code "c03/17"}. */
  public static String key(String customer, long window) {
    return customer + "/" + String.format("%06d", window);
  }

  /** What the job must write: one row per (customer, window) that had orders. */
  public static Map<String, Total> model(long orders, int customers) {
    Map<String, long[]> acc = new TreeMap<>();
    for (long i = 0; i < orders; i++) {
      Tuple4<Long, String, Long, Long> o = order(i, customers);
      long[] a = acc.computeIfAbsent(key(o.f1, windowOf(o.f3)), k -> new long[2]);
      a[0]++;
      a[1] += o.f2;
    }
    Map<String, Total> out = new TreeMap<>();
    acc.forEach((k, a) -> out.put(k, new Total(a[0], BigDecimal.valueOf(a[1], 2))));
    return out;
  }

  /** The window aggregation: (orders, cents) of the orders of one key and window. */
  public static final class CountAndSum
      implements AggregateFunction<
          Tuple4<Long, String, Long, Long>, Tuple2<Long, Long>, Tuple2<Long, Long>> {
    @Override
    public Tuple2<Long, Long> createAccumulator() {
      return Tuple2.of(0L, 0L);
    }

    @Override
    public Tuple2<Long, Long> add(Tuple4<Long, String, Long, Long> o, Tuple2<Long, Long> acc) {
      return Tuple2.of(acc.f0 + 1, acc.f1 + o.f2);
    }

    @Override
    public Tuple2<Long, Long> getResult(Tuple2<Long, Long> acc) {
      return acc;
    }

    @Override
    public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
      return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
    }
  }

  /** SplitMix64: a well-spread, reproducible hash of the order number. */
  static long mix(long x) {
    long z = x + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
