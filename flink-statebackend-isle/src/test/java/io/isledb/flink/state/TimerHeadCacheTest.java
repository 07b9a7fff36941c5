package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ISLE timers keep only a head of at most {@code timer-service.cache-size} timers per key group in
 * memory; a seeded model with many more timers than that (register, delete, fire, bulk-fire, size,
 * iteration, checkpoints and restores) shows the queue stays exact.
 */
class TimerHeadCacheTest {
  private static final int CACHE = 4;
  private static final TimerSerializer<Integer, VoidNamespace> SERIALIZER =
      new TimerSerializer<>(IntSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE);

  @TempDir Path dir;

  private record Timer(long time, int key) {}

  @Test
  void aSeededModelWithFarMoreTimersThanTheCache() throws Exception {
    long seed = Long.getLong("isle.seed", new Random().nextLong());
    Random rnd = new Random(seed);
    String why = "seed " + seed + " (-Disle.seed= to replay)";
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.TIMER_CACHE_SIZE, CACHE);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      IsleTimerQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> q = queue(b);
      Set<Timer> model = new HashSet<>();
      long checkpoint = 0;
      long peakStored = 0;
      for (int op = 0; op < 4000; op++) {
        int kind = rnd.nextInt(100);
        if (kind < 55) {
          Timer t = new Timer(rnd.nextInt(2000), rnd.nextInt(24));
          boolean fresh = !model.contains(t);
          long min = minTimeOr(model, Long.MAX_VALUE);
          boolean headChanged = q.add(timer(t));
          if (!fresh || t.time() > min) {
            assertThat(headChanged).as(why + ": add " + t).isFalse();
          } else if (t.time() < min) {
            assertThat(headChanged).as(why + ": add " + t).isTrue();
          }
          model.add(t);
        } else if (kind < 70) {
          Timer t =
              model.isEmpty() || rnd.nextBoolean()
                  ? new Timer(rnd.nextInt(2000), rnd.nextInt(24))
                  : new ArrayList<>(model).get(rnd.nextInt(model.size()));
          q.remove(timer(t));
          model.remove(t);
        } else if (kind < 85) {
          TimerHeapInternalTimer<Integer, VoidNamespace> polled = q.poll();
          if (model.isEmpty()) {
            assertThat(polled).as(why).isNull();
          } else {
            Timer t = new Timer(polled.getTimestamp(), polled.getKey());
            assertThat(t.time()).as(why).isEqualTo(minTime(model));
            assertThat(model.remove(t)).as(why + ": polled " + t).isTrue();
          }
        } else if (kind < 92) {
          // Bulk fire, as the timer service does when the watermark advances.
          long watermark = minTimeOr(model, 0) + rnd.nextInt(60);
          TimerHeapInternalTimer<Integer, VoidNamespace> head;
          while ((head = q.peek()) != null && head.getTimestamp() <= watermark) {
            Timer t = new Timer(head.getTimestamp(), head.getKey());
            assertThat(q.poll().getTimestamp()).as(why).isEqualTo(head.getTimestamp());
            assertThat(model.remove(t)).as(why).isTrue();
          }
          assertThat(model.stream().noneMatch(t -> t.time() <= watermark)).as(why).isTrue();
        } else if (kind < 97) {
          assertThat(q.size()).as(why).isEqualTo(model.size());
          assertThat(q.isEmpty()).as(why).isEqualTo(model.isEmpty());
          assertThat(contents(q)).as(why).isEqualTo(model);
          if (!model.isEmpty()) {
            assertThat(q.peek().getTimestamp()).as(why).isEqualTo(minTime(model));
          }
        } else if (rnd.nextInt(8) == 0) {
          // Checkpoint, then a failover: the restored queue equals the model at the checkpoint;
          // writes after the checkpoint vanish.
          Set<Timer> atCheckpoint = new HashSet<>(model);
          KeyedStateHandle h = BackendTestKit.snapshot(b, ++checkpoint);
          q.add(timer(new Timer(rnd.nextInt(2000), 100 + rnd.nextInt(10))));
          b.dispose();
          b = kit.create(IntSerializer.INSTANCE, h.getKeyGroupRange(), List.of(h));
          q = queue(b);
          model = atCheckpoint;
          assertThat(q.size()).as(why).isEqualTo(model.size());
        } else {
          TimerHeapInternalTimer<Integer, VoidNamespace> head = q.peek();
          assertThat(head == null ? -1 : head.getTimestamp())
              .as(why)
              .isEqualTo(minTimeOr(model, -1));
        }
        peakStored = Math.max(peakStored, model.size());
        assertThat(q.maxCachedPerKeyGroup()).as(why).isLessThanOrEqualTo(CACHE);
      }
      // Many more timers than the cache held: memory held at most CACHE per key group.
      assertThat(peakStored).as(why).isGreaterThan(20L * CACHE);
      assertThat(q.cachedTimers()).as(why).isLessThanOrEqualTo((long) CACHE * 24);
      List<Timer> drained = new ArrayList<>();
      while (!q.isEmpty()) {
        TimerHeapInternalTimer<Integer, VoidNamespace> t = q.poll();
        drained.add(new Timer(t.getTimestamp(), t.getKey()));
      }
      assertThat(new HashSet<>(drained)).as(why).isEqualTo(model);
      for (int i = 1; i < drained.size(); i++) {
        assertThat(drained.get(i).time()).as(why).isGreaterThanOrEqualTo(drained.get(i - 1).time());
      }
      b.dispose();
    }
  }

  @Test
  void aNewQueueNeedsNoReadAndCachesOnlyTheHead() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.TIMER_CACHE_SIZE, CACHE);
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      IsleTimerQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> q = queue(b);
      int key = 7; // one key: one key group
      for (int i = 0; i < 500; i++) {
        q.add(timer(new Timer(1000 - i, key)));
      }
      assertThat(q.cachedTimers()).isEqualTo(CACHE);
      assertThat(q.size()).isEqualTo(500);
      for (int i = 0; i < 500; i++) {
        assertThat(q.poll().getTimestamp()).isEqualTo(501 + i);
        assertThat(q.cachedTimers()).isLessThanOrEqualTo(CACHE);
      }
      assertThat(q.isEmpty()).isTrue();
      b.dispose();
    }
  }

  @SuppressWarnings("unchecked")
  private static IsleTimerQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> queue(
      IsleKeyedStateBackend<Integer> b) {
    return (IsleTimerQueue<TimerHeapInternalTimer<Integer, VoidNamespace>>)
        (Object) b.create("timers", SERIALIZER);
  }

  private static TimerHeapInternalTimer<Integer, VoidNamespace> timer(Timer t) {
    return new TimerHeapInternalTimer<>(t.time(), t.key(), VoidNamespace.INSTANCE);
  }

  private static long minTime(Set<Timer> model) {
    return model.stream().mapToLong(Timer::time).min().orElseThrow();
  }

  private static long minTimeOr(Set<Timer> model, long otherwise) {
    return model.isEmpty() ? otherwise : minTime(model);
  }

  private static Set<Timer> contents(
      IsleTimerQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> q) throws Exception {
    Set<Timer> out = new HashSet<>();
    try (CloseableIterator<TimerHeapInternalTimer<Integer, VoidNamespace>> it = q.iterator()) {
      while (it.hasNext()) {
        TimerHeapInternalTimer<Integer, VoidNamespace> t = it.next();
        out.add(new Timer(t.getTimestamp(), t.getKey()));
      }
    }
    return out;
  }
}
