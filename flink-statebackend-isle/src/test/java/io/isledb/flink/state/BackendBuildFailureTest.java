package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.state.BackendBuildingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build that fails after the database was opened and handed the backend's hold on the shared
 * resources (here: registering the metrics fails) releases that hold exactly once: a second release
 * would drop another backend's reference and close the pools under it.
 */
class BackendBuildFailureTest {
  @TempDir Path dir;

  @Test
  void aLateBuildFailureReleasesTheSharedResourcesOnce() throws Exception {
    MetricGroup refusing =
        new UnregisteredMetricsGroup() {
          @Override
          public MetricGroup addGroup(String name) {
            throw new IllegalStateException("injected: metrics refused");
          }
        };
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Integer> neighbour = kit.create(IntSerializer.INSTANCE);
      int held = SharedResources.references();
      assertThat(held).isPositive();
      assertThatThrownBy(() -> kit.create(IntSerializer.INSTANCE, refusing))
          .isInstanceOf(BackendBuildingException.class)
          .hasRootCauseMessage("injected: metrics refused");
      assertThat(SharedResources.references()).as("the neighbour's hold survives").isEqualTo(held);
      RescaleByForkTest.put(neighbour, 1, "still usable");
      assertThat(RescaleByForkTest.get(neighbour, 1)).isEqualTo("still usable");
      neighbour.dispose();
      assertThat(SharedResources.references()).isEqualTo(held - 1);
    }
  }
}
