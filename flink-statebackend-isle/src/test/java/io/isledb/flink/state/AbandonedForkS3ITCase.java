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
 * {@link ForkCleanupTestBase} on s3a:// against the real S3 server (s3proxy): abandoned forks found
 * and deleted, the old databases retired and collected, and the cleanup killed at each of its steps
 * and taken over after a failover, with S3's listings and conditional writes instead of a local
 * file system's. A subsumed checkpoint is discarded through the engine's unpin, as in {@link
 * RetireAfterRescaleS3ITCase} (the JobManager's discard of an s3a pin needs Flink's S3 plugin).
 */
class AbandonedForkS3ITCase extends ForkCleanupTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected BackendTestKit kit() {
    Configuration config = RescaleByForkTest.quiet();
    config.set(IsleStateBackendOptions.DIR, S3.uri() + "/" + S3.newPrefix("abandoned"));
    for (Map.Entry<String, String> e : S3.hadoopConf().entrySet()) {
      config.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
    }
    return new BackendTestKit(config);
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
