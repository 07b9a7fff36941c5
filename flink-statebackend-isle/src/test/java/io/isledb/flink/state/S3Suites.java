package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.S3ServerExtension;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** What the s3a:// variants of the rescale suites share: their kit and their discard. */
final class S3Suites {
  private S3Suites() {}

  /** A quiet kit (no maintenance) whose backends keep their databases on {@code s3}. */
  static BackendTestKit kit(S3ServerExtension s3, String name) {
    Configuration config = RescaleByForkTest.quiet();
    config.set(IsleStateBackendOptions.DIR, s3.uri() + "/" + s3.newPrefix(name));
    for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
      config.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
    }
    return new BackendTestKit(config);
  }

  /**
   * Discards the subsumed checkpoint {@code c} of the database on {@code store} as its handle's
   * discard does it (the pin goes), through the engine's unpin: the JobManager's discard of an s3a
   * pin needs Flink's S3 plugin, which this class path does not have (FACTS.md).
   */
  static void unpin(ObjectStore store, IsleCheckpoint c) {
    try (IsleDB db =
        IsleDB.open(
            store,
            DBOptions.defaults()
                .withGcGracePeriod(IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue())
                .withLogRetention(Duration.ZERO))) {
      db.unpin(c.getPinName());
    }
  }
}
