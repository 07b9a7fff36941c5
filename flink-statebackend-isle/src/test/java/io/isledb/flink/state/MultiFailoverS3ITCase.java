package io.isledb.flink.state;

import io.isledb.testing.S3ServerExtension;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link MultiFailoverITCase} with the databases on s3a:// against the real S3 server (s3proxy):
 * the six induced failures (in processElement, in onTimer, during the cut's upload, after its
 * commit, after the pin) on S3A's uploads, commits and pins, with fewer records (under 40 s on a
 * quiet machine). The JobManager's discard of subsumed pins fails here (it needs Flink's S3 plugin,
 * FACTS.md) and is only logged, which is what a cluster without the plugin sees.
 */
class MultiFailoverS3ITCase {
  private static final long RECORDS = 1_000;

  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = ClusterJobs.cluster(2, new Configuration());

  @AfterEach
  void clearHooks() {
    TestHooks.reset();
    StateJob.failures = null;
  }

  @Test
  void sixInducedFailuresOnS3aEndEqualToTheModel() throws Exception {
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.DIR, S3.uri() + "/" + S3.newPrefix("failover"));
    for (Map.Entry<String, String> e : S3.hadoopConf().entrySet()) {
      config.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
    }
    // Failures closer together and more records per checkpoint than on file://: every checkpoint
    // and every restart costs S3 requests, and the source is paced per checkpoint.
    long seed = Long.getLong("isle.seed", System.nanoTime());
    FailurePlan plan = new FailurePlan(seed, 20, 100);
    MultiFailoverITCase.runWithInducedFailures(config, "failover-s3", RECORDS, 100, plan);
  }
}
