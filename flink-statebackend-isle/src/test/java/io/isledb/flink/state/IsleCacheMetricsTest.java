package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache gauges: this backend's block and disk cache hits, misses and hit ratios move with its
 * reads of checkpointed state, and the shared caches' gauges count at least as much.
 */
class IsleCacheMetricsTest {
  private static final int KEYS = 1000;

  @TempDir Path dir;

  private static double number(Map<String, Metric> metrics, String name) {
    assertThat(metrics).containsKey(name);
    return ((Number) ((Gauge<?>) metrics.get(name)).getValue()).doubleValue();
  }

  @Test
  void cacheGaugesFollowReads() throws Exception {
    Map<String, Metric> metrics = new HashMap<>();
    IsleMetricsTest.Capturing group = new IsleMetricsTest.Capturing(metrics, "");
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE, group);
      ValueState<Integer> state =
          b.getPartitionedState(
              VoidNamespace.INSTANCE,
              VoidNamespaceSerializer.INSTANCE,
              new ValueStateDescriptor<>("v", IntSerializer.INSTANCE));
      for (int k = 0; k < KEYS; k++) {
        b.setCurrentKey(k);
        state.update(k);
      }
      BackendTestKit.snapshot(b, 1); // the values move from the memtable into a table
      double hitsBefore = number(metrics, "isle.blockCacheHits");
      double missesBefore = number(metrics, "isle.blockCacheMisses");
      for (int round = 0; round < 2; round++) {
        for (int k = 0; k < KEYS; k++) {
          b.setCurrentKey(k);
          assertThat(state.value()).isEqualTo(k);
        }
      }
      double hits = number(metrics, "isle.blockCacheHits");
      double misses = number(metrics, "isle.blockCacheMisses");
      assertThat(misses).as("the first reads load blocks").isGreaterThan(missesBefore);
      assertThat(hits - hitsBefore).as("the second round hits").isGreaterThanOrEqualTo(KEYS);
      assertThat(number(metrics, "isle.blockCacheHitRatio")).isEqualTo(hits / (hits + misses));
      assertThat(number(metrics, "isle.diskCacheHits") + number(metrics, "isle.diskCacheMisses"))
          .as("the table was looked up in the disk cache when opened")
          .isPositive();
      assertThat(number(metrics, "isle.diskCacheHitRatio")).isBetween(0.0, 1.0);
      assertThat(number(metrics, "isle.sharedBlockCacheHits")).isGreaterThanOrEqualTo(hits);
      assertThat(number(metrics, "isle.sharedBlockCacheMisses")).isGreaterThanOrEqualTo(misses);
      assertThat(number(metrics, "isle.sharedBlockCacheHitRatio")).isBetween(0.0, 1.0);
      assertThat(metrics)
          .containsKeys(
              "isle.sharedDiskCacheHits",
              "isle.sharedDiskCacheMisses",
              "isle.sharedDiskCacheHitRatio");
      b.dispose();
    }
  }
}
