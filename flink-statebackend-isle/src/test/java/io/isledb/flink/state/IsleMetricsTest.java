package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The isle gauges are registered on the backend's metric group and follow what it does. */
class IsleMetricsTest {
  @TempDir Path dir;

  /** Records metrics by their path of group names. */
  static final class Capturing extends UnregisteredMetricsGroup {
    final Map<String, Metric> metrics;
    final String prefix;

    Capturing(Map<String, Metric> metrics, String prefix) {
      this.metrics = metrics;
      this.prefix = prefix;
    }

    @Override
    public MetricGroup addGroup(String name) {
      return new Capturing(metrics, prefix + name + ".");
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      metrics.put(prefix + name, gauge);
      return gauge;
    }

    long value(String name) {
      return (Long) ((Gauge<?>) metrics.get(name)).getValue();
    }
  }

  @Test
  void gaugesReportRequestsBytesAndTheLatestCheckpointsUpload() throws Exception {
    Map<String, Metric> metrics = new HashMap<>();
    Capturing group = new Capturing(metrics, "");
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> b =
          (IsleKeyedStateBackend<Integer>)
              kit.backend.createKeyedStateBackend(
                  new KeyedStateBackendParametersImpl<>(
                      kit.env,
                      kit.jobId,
                      "test-operator",
                      IntSerializer.INSTANCE,
                      BackendTestKit.KEY_GROUPS,
                      KeyGroupRange.of(0, BackendTestKit.KEY_GROUPS - 1),
                      kit.env.getTaskKvStateRegistry(),
                      TtlTimeProvider.DEFAULT,
                      group,
                      List.of(),
                      new CloseableRegistry()));
      assertThat(metrics.keySet())
          .contains(
              "isle.lastCheckpointUploadedBytes",
              "isle.requests",
              "isle.putRequests",
              "isle.sharedMemtableBytes",
              "isle.sharedBlockCacheBytes");
      assertThat(group.value("isle.lastCheckpointUploadedBytes")).isZero();
      var state =
          b.getPartitionedState(
              VoidNamespace.INSTANCE,
              VoidNamespaceSerializer.INSTANCE,
              new ValueStateDescriptor<>("v", IntSerializer.INSTANCE));
      for (int k = 0; k < 1000; k++) {
        b.setCurrentKey(k);
        state.update(k);
      }
      assertThat(group.value("isle.sharedMemtableBytes")).isPositive();
      long putsBefore = group.value("isle.putRequests");
      long writtenBefore = group.value("isle.bytesWritten");
      BackendTestKit.snapshot(b, 1);
      assertThat(group.value("isle.putRequests")).isGreaterThan(putsBefore);
      long uploaded = group.value("isle.lastCheckpointUploadedBytes");
      assertThat(uploaded).isPositive();
      // The upload counts from the backend's open (fence edit included) to the pin.
      assertThat(uploaded)
          .isGreaterThanOrEqualTo(group.value("isle.bytesWritten") - writtenBefore)
          .isLessThanOrEqualTo(group.value("isle.bytesWritten"));
      b.dispose();
    }
  }
}
