package io.isledb.bench.flink;

import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * Event-time timers in the backend's own timer queue (each backend's default timer service: isle
 * and RocksDB keep timers in the database with an in-memory head, hashmap on the heap), as {@code
 * InternalTimerServiceImpl} uses it. The queue holds one timer per key of the key space. {@code
 * timer.register} adds a timer at a random time for a random key; {@code timer.fire} polls the
 * earliest timer and registers that key's next one later than every queued timer (a steady state:
 * the queue keeps its size), so it measures firing plus one registration.
 */
public class TimerBenchmarks extends StateBenchBase {
  private KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Long, VoidNamespace>> queue;
  private long keys;
  private long latest;
  private long random = SEED;

  /** Opens the backend and registers one timer per key. */
  @Setup
  public void setUp() throws Exception {
    open();
    queue =
        kb.create(
            "timers",
            new TimerSerializer<>(LongSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE));
    keys = settings.entries(keySpace);
    keys((int) keys);
    for (long t = 0; t < keys; t++) {
      queue.add(new TimerHeapInternalTimer<>(t, nextKey(), VoidNamespace.INSTANCE));
    }
    latest = keys;
  }

  /** {@code timer.register}. */
  @Benchmark
  public boolean register() {
    random = random * 6364136223846793005L + 1442695040888963407L; // LCG: cheap, seeded
    long ts = (random >>> 17) % (4 * keys);
    return queue.add(new TimerHeapInternalTimer<>(ts, nextKey(), VoidNamespace.INSTANCE));
  }

  /** {@code timer.fire}: poll the head, register its successor. */
  @Benchmark
  public long fire() {
    TimerHeapInternalTimer<Long, VoidNamespace> head = queue.poll();
    queue.add(new TimerHeapInternalTimer<>(++latest, head.getKey(), VoidNamespace.INSTANCE));
    return head.getTimestamp();
  }
}
