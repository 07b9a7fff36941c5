package io.isledb.flink.state;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.ConfigurableStateBackend;
import org.apache.flink.runtime.state.StateBackendTestBase;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameter;
import org.apache.flink.testutils.junit.extensions.parameterized.ParameterizedTestExtension;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameters;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's own conformance suite for keyed state backends ({@code StateBackendTestBase}, from the
 * flink-runtime test-jar), run against the isle backend with its databases on file://.
 */
@ExtendWith(ParameterizedTestExtension.class)
class IsleStateBackendTest extends StateBackendTestBase<IsleStateBackend> {
  @TempDir Path stateDir;

  /** The storage the databases live on. */
  @Parameter public String storage;

  @Parameters(name = "storage={0}")
  public static List<String> storages() {
    return List.of("file");
  }

  @Override
  protected ConfigurableStateBackend getStateBackend() {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.DIR, stateDir.toUri().toString());
    // Flink's testMapStateWithNullValue never disposes its backend: that backend's GC would keep
    // writing into the temp dir JUnit deletes. GC is covered by BackendMaintenanceTest.
    config.set(IsleStateBackendOptions.GC_INTERVAL, java.time.Duration.ZERO);
    return new IsleStateBackend().configure(config, getClass().getClassLoader());
  }

  @Override
  protected CheckpointStorage getCheckpointStorage() {
    return new JobManagerCheckpointStorage(); // operator state only: keyed state is in isle
  }

  @Override
  protected boolean isSerializerPresenceRequiredOnRestore() {
    return false; // values are deserialized on access, not at restore
  }

  @Override
  protected boolean supportsAsynchronousSnapshots() {
    return true;
  }

  @Override
  protected boolean isSafeToReuseKVState() {
    return true; // every read deserializes a fresh object
  }

  @Override
  protected boolean snapshotUsesStreamFactory() {
    return false; // a checkpoint is a pinned database version, not a stream
  }
}
