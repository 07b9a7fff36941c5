package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration: the factory, locations and schemes, Flink's S3 settings, and bad settings. */
class IsleStateBackendConfigTest {
  @TempDir Path tmp;

  @Test
  void stateBackendTypeNamesTheFactory() throws Exception {
    Configuration config = new Configuration();
    config.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
    config.set(IsleStateBackendOptions.DIR, "file:///tmp/isle-state");
    StateBackend loaded =
        StateBackendLoader.loadStateBackendFromConfig(config, getClass().getClassLoader(), null);
    assertThat(loaded).isInstanceOf(IsleStateBackend.class);
    assertThat(((IsleStateBackend) loaded).locationUri()).isEqualTo("file:///tmp/isle-state");
  }

  @Test
  void configureReturnsANewInstanceAndKeepsTheOriginal() {
    IsleStateBackend original = new IsleStateBackend();
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.DIR, "file:///data/state");
    config.set(
        IsleStateBackendOptions.TIMER_SERVICE, IsleStateBackendOptions.TimerServiceType.HEAP);
    IsleStateBackend configured = original.configure(config, getClass().getClassLoader());
    assertThat(configured).isNotSameAs(original);
    assertThat(original.locationUri()).isNull();
    assertThat(configured.locationUri()).isEqualTo("file:///data/state");
    assertThat(configured.timerService()).isEqualTo(IsleStateBackendOptions.TimerServiceType.HEAP);
    assertThat(original.timerService()).isEqualTo(IsleStateBackendOptions.TimerServiceType.ISLE);
  }

  @Test
  void blockCacheStaysOnTheHeapUnlessConfigured() {
    // Flink's direct memory limit is shared with Netty and the network buffers: off-heap is opt-in.
    assertThat(new IsleStateBackend().resourcesOptions().offHeapBlockCache()).isFalse();
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.BLOCK_CACHE_OFF_HEAP, true);
    IsleStateBackend on = new IsleStateBackend().configure(config, getClass().getClassLoader());
    assertThat(on.resourcesOptions().offHeapBlockCache()).isTrue();
  }

  @Test
  void defaultLocationIsUnderTheCheckpointDirectoryAndS3MeansS3a() {
    Configuration config = new Configuration();
    config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/checkpoints");
    IsleStateBackend b = new IsleStateBackend().configure(config, getClass().getClassLoader());
    assertThat(b.locationUri()).isEqualTo("s3a://bucket/checkpoints/isle-state");
  }

  @Test
  void flinkS3SettingsMapOntoS3aAndExplicitHadoopSettingsWin() {
    Configuration config = new Configuration();
    config.setString("s3.access-key", "AK");
    config.setString("s3.secret-key", "SK");
    config.setString("s3.endpoint", "http://flink-endpoint");
    config.setString("s3.path-style-access", "true");
    config.setString("state.backend.isle.hadoop.fs.s3a.endpoint", "http://isle-endpoint");
    config.setString("state.backend.isle.hadoop.fs.s3a.connection.ssl.enabled", "false");
    Map<String, String> hadoop = StateLocation.hadoopSettings(config);
    assertThat(hadoop)
        .containsEntry("fs.s3a.access.key", "AK")
        .containsEntry("fs.s3a.secret.key", "SK")
        .containsEntry("fs.s3a.path.style.access", "true")
        .containsEntry("fs.s3a.endpoint", "http://isle-endpoint")
        .containsEntry("fs.s3a.connection.ssl.enabled", "false")
        .doesNotContainKey("fs.s3a.access-key");
    StateLocation location = StateLocation.of("x", "s3a://bucket/a/b/", hadoop);
    assertThat(location.toString()).doesNotContain("AK").doesNotContain("SK");
    assertThat(location.storeUri()).isEqualTo("s3a://bucket/");
    assertThat(location.basePrefix()).isEqualTo("a/b");
  }

  @Test
  void badLocationsFailNamingTheOption() {
    Configuration dots = new Configuration();
    dots.set(IsleStateBackendOptions.DIR, "file:///data/../etc");
    assertThatThrownBy(() -> new IsleStateBackend().configure(dots, null))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.dir")
        .hasMessageContaining("..");
    Configuration noScheme = new Configuration();
    noScheme.set(IsleStateBackendOptions.DIR, "/data/state");
    assertThatThrownBy(() -> new IsleStateBackend().configure(noScheme, null))
        .hasMessageContaining("state.backend.isle.dir")
        .hasMessageContaining("scheme");
    Configuration noBucket = new Configuration();
    noBucket.set(IsleStateBackendOptions.DIR, "s3a:///state");
    assertThatThrownBy(() -> new IsleStateBackend().configure(noBucket, null))
        .hasMessageContaining("bucket");
  }

  @Test
  void noLocationFailsAtBackendCreationNamingTheOptions() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(tmp, new Configuration())) {
      IsleStateBackend unconfigured = new IsleStateBackend();
      assertThatThrownBy(
              () ->
                  unconfigured.createKeyedStateBackend(
                      new org.apache.flink.runtime.state.KeyedStateBackendParametersImpl<>(
                          kit.env,
                          kit.jobId,
                          "op",
                          IntSerializer.INSTANCE,
                          128,
                          org.apache.flink.runtime.state.KeyGroupRange.of(0, 127),
                          kit.env.getTaskKvStateRegistry(),
                          org.apache.flink.runtime.state.ttl.TtlTimeProvider.DEFAULT,
                          new org.apache.flink.metrics.groups.UnregisteredMetricsGroup(),
                          java.util.List.of(),
                          new org.apache.flink.core.fs.CloseableRegistry())))
          .hasMessageContaining("state.backend.isle.dir")
          .hasMessageContaining("execution.checkpointing.dir");
    }
  }

  @Test
  void unusableLocalDirFailsNamingTheOption() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.LOCAL_DIR, file.resolve("cache").toString());
    try (BackendTestKit kit = new BackendTestKit(tmp.resolve("state"), config)) {
      assertThatThrownBy(() -> kit.create(IntSerializer.INSTANCE))
          .hasStackTraceContaining("state.backend.isle.local-dir");
    }
    assertThat(SharedResources.references()).isZero();
  }
}
