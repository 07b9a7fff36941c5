package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.Awaiting;
import io.isledb.testing.S3ServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two jobs one after the other on one cluster use an isle table on s3a:// that stays open in the
 * task manager between them (the JVM shares one database per table): the second job must not depend
 * on the first job's user-code class loader, which Flink closes when that job ends. Before the fix
 * the shared S3A FileSystem's pool threads, created while job 1 called it, kept job 1's class
 * loader as their context class loader, and a later job failed with "Trying to access closed
 * classloader" when such a thread parsed its first S3 response (the AWS SDK looks its XML parser up
 * through the thread's context class loader), as the connector benchmark did.
 */
class JobClassLoaderS3ITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** The user-code class loader of the last job that opened this function. */
  static volatile ClassLoader jobLoader;

  /** Records the job's class loader (the task thread's context class loader). */
  public static final class CaptureLoader extends ScalarFunction {
    @Override
    public void open(FunctionContext context) {
      jobLoader = Thread.currentThread().getContextClassLoader();
    }

    public long eval(long v) {
      return v;
    }
  }

  private static boolean closed(ClassLoader loader) {
    try {
      loader.loadClass(JobClassLoaderS3ITCase.class.getName());
      return false;
    } catch (IllegalStateException | ClassNotFoundException e) {
      return true;
    }
  }

  @Test
  void aLaterJobDoesNotUseTheClassLoaderOfAnEndedJob() throws Exception {
    String path = S3.uri() + "/" + S3.newPrefix("loaders");
    Map<String, String> options = new HashMap<>();
    options.put("path", path);
    options.put("scan.poll-interval", "100 ms");
    S3.hadoopConf().forEach((k, v) -> options.put("hadoop." + k, v));
    String ddl =
        "CREATE TABLE t (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) "
            + IsleS3SqlITCase.with(options);

    TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    batch.executeSql(ddl);
    batch.executeSql("INSERT INTO t VALUES (1, 'a'), (2, 'b')").await();
    assertThat(SharedTables.openTables()).as("nothing holds the table between jobs").isZero();

    // Job 1 (unbounded read) opens the table in this JVM under its own class loader.
    TableEnvironment streaming = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    streaming.executeSql(ddl);
    streaming.createTemporarySystemFunction("capture_loader", CaptureLoader.class);
    TableResult first = streaming.executeSql("SELECT capture_loader(id), v FROM t");
    JobClient job1 = first.getJobClient().orElseThrow();
    SharedTables.Lease held;
    try (CloseableIterator<Row> it = first.collect()) {
      assertThat(it.next()).isNotNull(); // the reader has opened the table
      // Keep the shared database open across the end of job 1, as a concurrent job would.
      held = SharedTables.acquire(TableLocation.of(path, options));
    }
    try {
      ClassLoader loader = jobLoader;
      assertThat(loader).isNotNull();
      job1.getJobExecutionResult().handle((r, e) -> null).get();
      Awaiting.until(
          () -> closed(loader), Duration.ofMinutes(1), () -> "job 1's class loader to close");

      // No thread left behind by the table (S3A's pools, the engine's pools) runs with job 1's
      // class loader: a thread's first S3 response parse looks up its XML parser through it.
      List<String> holders =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getContextClassLoader() == loader)
              .map(Thread::getName)
              .sorted()
              .collect(Collectors.toList());
      assertThat(holders).as("threads with job 1's closed class loader").isEmpty();

      // Job 2 on the same (still open) table: a write, then a read that lists and reads it.
      batch.executeSql("INSERT INTO t VALUES (3, 'c')").await();
      assertThat(collect(batch.executeSql("SELECT id, v FROM t")))
          .containsExactlyInAnyOrder("+I[1, a]", "+I[2, b]", "+I[3, c]");
    } finally {
      held.close();
    }
  }
}
