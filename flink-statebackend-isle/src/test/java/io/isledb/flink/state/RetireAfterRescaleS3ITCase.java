package io.isledb.flink.state;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.S3ServerExtension;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RetireAfterRescaleTestBase} on s3a:// against the real S3 server (s3proxy): the claimed
 * and unclaimed rescales by fork, their restore request counts, the retirement of the old databases
 * and their deletion by the new subtasks' GC. Subsumed checkpoints are discarded through the
 * engine's unpin ({@link S3Suites#unpin}).
 */
class RetireAfterRescaleS3ITCase extends RetireAfterRescaleTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected BackendTestKit kit() {
    return S3Suites.kit(S3, "retire");
  }

  /** One checkpoint per old subtask: every request to the S3 server costs tens of ms under load. */
  @Override
  protected int oldRounds() {
    return 1;
  }

  @Override
  protected void discard(KeyedStateHandle handle) throws Exception {
    IsleCheckpoint c = IsleCheckpoint.of(handle).orElseThrow();
    S3Suites.unpin(store(c), c);
  }
}
