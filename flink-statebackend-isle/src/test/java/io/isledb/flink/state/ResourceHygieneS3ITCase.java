package io.isledb.flink.state;

import io.isledb.testing.S3ServerExtension;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ResourceHygieneTest} against the real S3 server (s3proxy) on s3a://, with fewer cycles:
 * each S3A FileSystem holds an HTTP connection pool and upload threads, so a leaked store shows as
 * an open FileSystem, threads and sockets (file handles).
 */
class ResourceHygieneS3ITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Test
  void checkpointRestoreCyclesOnS3aLeaveFileSystemsThreadsAndFileHandlesFlat() throws Exception {
    Configuration config = BackendMaintenanceTest.fastGc();
    config.set(IsleStateBackendOptions.DIR, S3.uri() + "/" + S3.newPrefix("hygiene"));
    for (Map.Entry<String, String> e : S3.hadoopConf().entrySet()) {
      config.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
    }
    try (BackendTestKit kit = new BackendTestKit(config)) {
      // No discard: the JobManager's discard of an s3a pin needs Flink's S3 plugin (FACTS.md).
      ResourceHygieneTest.cycles(kit, 20, 5, false);
    }
  }
}
