package io.isledb.bench.flink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One local MiniCluster (one task manager with {@link JobSettings#parallelism()} slots of {@link
 * JobSettings#slotMemoryBytes()} managed memory each) that runs the group's jobs one after the
 * other, each with its own state backend in the job's configuration, and reads their progress:
 * records processed ({@link BenchJobs#PROCESSED}), completed checkpoints and the isle backends'
 * object-store request gauges ({@code isle.*}, through an in-memory metric reporter).
 */
final class JobCluster implements AutoCloseable {
  /** The isle request gauges (IsleMetrics) summed over every subtask, by the name shown. */
  static final Map<String, String> REQUEST_GAUGES =
      Map.of(
          "all", "requests",
          "GET", "getRequests",
          "PUT", "putRequests",
          "LIST", "listRequests",
          "DELETE", "deleteRequests",
          "bytes_written", "bytesWritten",
          "bytes_read", "bytesRead");

  private final JobSettings settings;
  private final InMemoryReporter reporter = InMemoryReporter.create();
  private final MiniCluster cluster;

  JobCluster(JobSettings s) throws Exception {
    this.settings = s;
    Configuration c = new Configuration();
    c.set(
        TaskManagerOptions.MANAGED_MEMORY_SIZE,
        new MemorySize(s.slotMemoryBytes() * s.parallelism()));
    reporter.addToConfiguration(c);
    // Hadoop's shutdown hook reads a Configuration that holds the (closed) user-code class loader
    // of
    // the last isle job: without this, every child JVM ends with a harmless but alarming stack
    // trace.
    c.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(c)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(s.parallelism())
                .setCommonBindAddress("127.0.0.1")
                .withRandomPorts()
                .build());
    cluster.start();
  }

  /** A running job of this cluster. */
  final class Running {
    final JobID id;
    final String backend;

    Running(JobID id, String backend) {
      this.id = id;
      this.backend = backend;
    }

    /** Completed checkpoints so far. */
    long completedCheckpoints() throws Exception {
      return stats().getCounts().getNumberOfCompletedCheckpoints();
    }

    CheckpointStatsSnapshot stats() throws Exception {
      return graph().getCheckpointStatsSnapshot();
    }

    AccessExecutionGraph graph() throws Exception {
      return cluster.getExecutionGraph(id).get(1, TimeUnit.MINUTES);
    }

    /** The isle request gauges summed over every subtask of this job (empty for the peers). */
    Map<String, Long> isleRequests() {
      Map<String, Long> sums = new TreeMap<>();
      for (Map.Entry<MetricGroup, Map<String, Metric>> e :
          reporter.getMetricsByGroup().entrySet()) {
        MetricGroup group = e.getKey();
        if (!id.toString().equals(group.getAllVariables().get("<job_id>"))) {
          continue;
        }
        for (Map.Entry<String, String> g : REQUEST_GAUGES.entrySet()) {
          Metric m = e.getValue().get(g.getValue());
          if (m instanceof Gauge<?> v
              && group.getMetricIdentifier(g.getValue()).endsWith(".isle." + g.getValue())) {
            sums.merge(g.getKey(), ((Number) v.getValue()).longValue(), Long::sum);
          }
        }
      }
      // Existence checks (STAT) and anything else not counted by kind above.
      sums.put(
          "other",
          sums.getOrDefault("all", 0L)
              - sums.getOrDefault("GET", 0L)
              - sums.getOrDefault("PUT", 0L)
              - sums.getOrDefault("LIST", 0L)
              - sums.getOrDefault("DELETE", 0L));
      return sums;
    }

    /** Fails with the job's own error if it has ended. */
    void checkRunning() throws Exception {
      JobStatus st = cluster.getJobStatus(id).get(1, TimeUnit.MINUTES);
      if (st.isGloballyTerminalState()) {
        JobResult r = cluster.requestJobResult(id).get(1, TimeUnit.MINUTES);
        throw new IllegalStateException(
            "job on " + backend + " is " + st,
            r.getSerializedThrowable()
                .map(t -> t.deserializeError(getClass().getClassLoader()))
                .orElse(null));
      }
    }

    /** Waits until {@code records} have been processed, failing if the job stops. */
    void awaitProcessed(long records, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (BenchJobs.PROCESSED.sum() < records) {
        checkRunning();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "job on "
                  + backend
                  + " processed "
                  + BenchJobs.PROCESSED.sum()
                  + " of "
                  + records
                  + " records in "
                  + timeout);
        }
        Thread.sleep(20);
      }
    }

    /** Cancels the job and waits until it has stopped. */
    void cancel() throws Exception {
      cluster.cancelJob(id).get(1, TimeUnit.MINUTES);
      cluster.requestJobResult(id).get(2, TimeUnit.MINUTES);
    }
  }

  /**
   * Submits the job {@code build} defines with state backend {@code backend} (files under a new
   * folder of the work directory), checkpoints every {@link JobSettings#checkpointMillis()}
   * (incremental where the backend has a choice), and resets {@link BenchJobs#PROCESSED}.
   */
  Running submit(String name, String backend, Consumer<StreamExecutionEnvironment> build)
      throws Exception {
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(Path.of(settings.work())), name + "-" + backend + "-");
    Configuration c = StateBackends.config(backend, settings.stateSettings(), dir);
    c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    // A failure ends the job (and the run) instead of restarting it unseen between two figures.
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    c.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(c);
    env.setParallelism(settings.parallelism());
    env.enableCheckpointing(settings.checkpointMillis());
    build.accept(env);
    BenchJobs.PROCESSED.reset();
    var graph = env.getStreamGraph();
    graph.setJobName(name + " on " + backend);
    JobID id = new JobID();
    graph.setJobId(id);
    cluster.submitJob(graph).get(1, TimeUnit.MINUTES);
    return new Running(id, backend);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
