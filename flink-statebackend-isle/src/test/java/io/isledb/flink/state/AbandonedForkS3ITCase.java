package io.isledb.flink.state;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.S3ServerExtension;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ForkCleanupTestBase} on s3a:// against the real S3 server (s3proxy): abandoned forks found
 * and deleted, the old databases retired and collected, and the cleanup killed at each of its steps
 * and taken over after a failover, with S3's listings and conditional writes instead of a local
 * file system's. Subsumed checkpoints are discarded through the engine's unpin ({@link
 * S3Suites#unpin}).
 */
class AbandonedForkS3ITCase extends ForkCleanupTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected BackendTestKit kit() {
    return S3Suites.kit(S3, "abandoned");
  }

  @Override
  protected void discard(KeyedStateHandle handle) throws Exception {
    IsleCheckpoint c = IsleCheckpoint.of(handle).orElseThrow();
    S3Suites.unpin(store(c), c);
  }
}
