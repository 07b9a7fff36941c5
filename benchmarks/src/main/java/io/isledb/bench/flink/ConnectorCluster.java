package io.isledb.bench.flink;

import java.net.URI;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * One local MiniCluster (in this JVM, REST on 127.0.0.1, a random port) that every job of the
 * flink-connector group runs on, so no job pays a cluster's start-up; jobs are submitted to it as
 * to a remote cluster. One task manager with three times the parallelism in slots: the streaming
 * read's reader job and its writer jobs run at the same time.
 */
final class ConnectorCluster implements AutoCloseable {
  private final MiniCluster cluster;
  private final URI rest;
  private final int parallelism;

  ConnectorCluster(int parallelism) throws Exception {
    this.parallelism = parallelism;
    Configuration c = new Configuration();
    c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    c.set(RestOptions.ADDRESS, "127.0.0.1");
    c.set(RestOptions.BIND_PORT, "0");
    // Flink's leaked-class-loader check stays on: a store shared by several jobs must not keep a
    // finished job's user-code class loader (isle-core.md, "Class loaders").
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(64));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(64));
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(c)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(3 * parallelism)
                .build());
    cluster.start();
    rest = cluster.getRestAddress().get();
  }

  /** A new table environment on the cluster, batch or streaming. */
  StreamTableEnvironment tableEnv(boolean batch) {
    return tableEnv(env(batch), batch);
  }

  /** A new execution environment on the cluster, batch or streaming. */
  StreamExecutionEnvironment env(boolean batch) {
    Configuration c = new Configuration();
    c.set(DeploymentOptions.TARGET, "remote");
    c.set(RestOptions.ADDRESS, rest.getHost());
    c.set(RestOptions.PORT, rest.getPort());
    c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    c.set(
        ExecutionOptions.RUNTIME_MODE,
        batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
    return new StreamExecutionEnvironment(c);
  }

  /** A table environment on {@code env}, whose runtime mode it must match. */
  static StreamTableEnvironment tableEnv(StreamExecutionEnvironment env, boolean batch) {
    EnvironmentSettings s =
        batch
            ? EnvironmentSettings.newInstance().inBatchMode().build()
            : EnvironmentSettings.newInstance().inStreamingMode().build();
    return StreamTableEnvironment.create(env, s);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
