package io.isledb.bench.flink;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.DoubleSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

/**
 * One flink-state operation in a loop on one backend, set up as the JMH benchmark sets it up (10
 * elements or entries per key, keys in the benchmarks' seeded order), for profiling outside JMH:
 * run it under JFR ({@code -XX:StartFlightRecording}) and read the main thread's samples. Prints
 * ops/s, the main thread's CPU time and allocation per op (less distorted by a loaded machine than
 * ops/s) and the longest single op (a stall).
 *
 * <p>Usage: {@code StateOpLoop <backend> <op> <entries> <seconds> [work dir]}, op one of {@code
 * list.get list.get-added list.update list.add map.get map.put map.contains value.get value.update}
 * ({@code list.get-added}: a get of lists built by 10 {@code add} calls each, not one {@code
 * update}). Start the JVM with {@link FlinkStateSuite#JVM_OPTIONS} and without rocksdbjni on the
 * class path (see {@link FlinkStateSuite}).
 */
public final class StateOpLoop {
  private static final int PER_KEY = 10;

  private StateOpLoop() {}

  /** Runs the loop; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    String backend = args[0];
    String op = args[1];
    int entries = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    Path work = Path.of(args.length > 4 ? args[4] : System.getProperty("java.io.tmpdir"));
    try (StateBackends.Opened o =
        StateBackends.open(backend, StateSettings.named("quick", work), work)) {
      Loop loop = new Loop(o.backend(), op, entries);
      loop.measure(seconds);
    }
  }

  /** The state of one op and its key order. */
  private static final class Loop {
    private final CheckpointableKeyedStateBackend<Long> kb;
    private final String op;
    private final long[] order;
    private ListState<Long> list;
    private MapState<Long, Double> map;
    private ValueState<Long> value;
    private final List<Long> replacement = new ArrayList<>();
    private long userKey;
    private long added;
    private long sink;

    Loop(CheckpointableKeyedStateBackend<Long> kb, String op, int entries) throws Exception {
      this.kb = kb;
      this.op = op;
      String kind = op.substring(0, op.indexOf('.'));
      int keys = kind.equals("value") ? entries : Math.max(1, entries / PER_KEY);
      List<Long> init = new ArrayList<>();
      for (long i = 0; i < PER_KEY; i++) {
        init.add(i);
        replacement.add(-i);
      }
      for (long k = 0; k < keys; k++) {
        kb.setCurrentKey(k);
        switch (kind) {
          case "list" -> {
            if (op.equals("list.get-added")) {
              for (Long e : init) {
                list().add(e);
              }
            } else {
              list().update(init);
            }
          }
          case "map" -> {
            for (long u = 0; u < PER_KEY; u++) {
              map().put(u, (double) k);
            }
          }
          case "value" -> value().update(k);
          default -> throw new IllegalArgumentException("unknown op " + op);
        }
      }
      order = new long[keys];
      for (int i = 0; i < keys; i++) {
        order[i] = i;
      }
      Random r = new Random(StateBenchBase.SEED);
      for (int i = keys - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        long t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }

    private ListState<Long> list() throws Exception {
      if (list == null) {
        list =
            kb.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>("list", LongSerializer.INSTANCE));
      }
      return list;
    }

    private MapState<Long, Double> map() throws Exception {
      if (map == null) {
        map =
            kb.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>(
                    "map", LongSerializer.INSTANCE, DoubleSerializer.INSTANCE));
      }
      return map;
    }

    private ValueState<Long> value() throws Exception {
      if (value == null) {
        value =
            kb.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("value", LongSerializer.INSTANCE));
      }
      return value;
    }

    private long nextUserKey(int bound) {
      userKey = userKey + 1 == bound ? 0 : userKey + 1;
      return userKey;
    }

    private void once(long k) throws Exception {
      switch (op) {
        case "list.get", "list.get-added" -> list.get().forEach(v -> sink += v);
        case "list.update" -> list.update(replacement);
        case "list.add" -> list.add(++added);
        case "map.get" -> sink += map.get(nextUserKey(PER_KEY)) != null ? 1 : 0;
        case "map.put" -> map.put(nextUserKey(PER_KEY), (double) k);
        case "map.contains" -> sink += map.contains(nextUserKey(2 * PER_KEY)) ? 1 : 0;
        case "value.get" -> sink += value.value();
        case "value.update" -> value.update(k);
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }

    void measure(double seconds) throws Exception {
      ThreadMXBean tm = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long alloc0 = tm.getCurrentThreadAllocatedBytes();
      long cpu0 = tm.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long last = start;
      long longest = 0;
      long ops = 0;
      int next = 0;
      while ((ops & 63) != 0 || System.nanoTime() < end) {
        long k = order[next];
        next = next + 1 == order.length ? 0 : next + 1;
        kb.setCurrentKey(k);
        once(k);
        ops++;
        long now = System.nanoTime();
        longest = Math.max(longest, now - last);
        last = now;
      }
      double wall = (last - start) / 1e9;
      long cpu = tm.getCurrentThreadCpuTime() - cpu0;
      long alloc = tm.getCurrentThreadAllocatedBytes() - alloc0;
      System.out.printf(
          "%s %s: %.0f ops/s (%d ops in %.2f s), main thread %.2f us cpu and %d B allocated per op,"
              + " longest op %.1f ms (sink %d)%n",
          kb.getClass().getSimpleName(),
          op,
          ops / wall,
          ops,
          wall,
          cpu / 1e3 / ops,
          alloc / ops,
          longest / 1e6,
          sink);
    }
  }
}
