package io.isledb.flink.state;

import java.nio.file.Path;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ForkCleanupTestBase} on {@code file://}, with the JobManager's own discard of subsumed
 * checkpoints (the handle's {@code discardState()} through Flink's FileSystem).
 */
class AbandonedForkTest extends ForkCleanupTestBase {
  @TempDir Path dir;

  @Override
  protected BackendTestKit kit() {
    return new BackendTestKit(dir, RescaleByForkTest.quiet());
  }

  @Override
  protected void discard(KeyedStateHandle handle) throws Exception {
    handle.discardState();
  }
}
