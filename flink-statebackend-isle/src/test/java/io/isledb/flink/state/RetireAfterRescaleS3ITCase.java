package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.S3ServerExtension;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RetireAfterRescaleTestBase} on s3a:// against the real S3 server (s3proxy): the claimed
 * and unclaimed rescales by fork, their restore request counts, the retirement of the old databases
 * and their deletion by the new subtasks' GC. A subsumed checkpoint is discarded as its handle's
 * discard does it (deleting the pin object), through the engine's unpin: the JobManager's discard
 * of an s3a pin needs Flink's S3 plugin, which this classpath does not have (FACTS.md).
 */
class RetireAfterRescaleS3ITCase extends RetireAfterRescaleTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected BackendTestKit kit() {
    Configuration config = RescaleByForkTest.quiet();
    config.set(IsleStateBackendOptions.DIR, S3.uri() + "/" + S3.newPrefix("retire"));
    for (Map.Entry<String, String> e : S3.hadoopConf().entrySet()) {
      config.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
    }
    return new BackendTestKit(config);
  }

  /** One checkpoint per old subtask: every request to the S3 server costs tens of ms under load. */
  @Override
  protected int oldRounds() {
    return 1;
  }

  @Override
  protected void discard(KeyedStateHandle handle) throws Exception {
    IsleCheckpoint c = IsleCheckpoint.of(handle).orElseThrow();
    try (IsleDB db =
        IsleDB.open(
            store(c),
            DBOptions.defaults()
                .withGcGracePeriod(IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue())
                .withLogRetention(Duration.ZERO))) {
      db.unpin(c.getPinName());
    }
  }
}
