package io.isledb.bench.flink;

import io.isledb.flink.state.IsleStateBackendFactory;
import io.isledb.flink.state.IsleStateBackendOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.state.forst.ForStConfigurableOptions;
import org.apache.flink.state.forst.ForStOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.util.FileUtils;

/**
 * Builds the keyed state backends the flink-state benchmarks compare, the way a task manager does:
 * loaded by name from a configuration ({@link StateBackendLoader}), created for one subtask of
 * every key group in a task environment ({@link MockEnvironment}) whose slot has {@link
 * StateSettings#slotMemoryBytes()} of managed memory. RocksDB, ForSt and IsleDB each size their
 * write buffers and block cache from that managed memory (their default), with the same write
 * buffer size, so "larger than the caches" means the same for the three.
 */
public final class StateBackends {
  /** Every backend name, the isle ones first. */
  public static final List<String> ALL =
      List.of("isle-file", "isle-s3a", "rocksdb", "forst", "hashmap");

  static final int KEY_GROUPS = 128;

  private StateBackends() {}

  /** A keyed backend of {@code Long} keys and the environment it lives in. */
  public record Opened(CheckpointableKeyedStateBackend<Long> backend, MockEnvironment env, Path dir)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        backend.dispose();
        backend.close();
      } finally {
        try {
          env.close();
        } finally {
          FileUtils.deleteDirectoryQuietly(dir.toFile());
        }
      }
    }
  }

  /** The configuration of backend {@code name} with its files under {@code dir}. */
  static Configuration config(String name, StateSettings s, Path dir) throws Exception {
    Configuration c = new Configuration();
    MemorySize writeBuffer = new MemorySize(s.writeBufferBytes());
    switch (name) {
      case "hashmap" -> c.set(StateBackendOptions.STATE_BACKEND, "hashmap");
      case "rocksdb" -> {
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(RocksDBOptions.LOCAL_DIRECTORIES, dir.toString());
        c.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, writeBuffer);
      }
      case "forst" -> {
        c.set(StateBackendOptions.STATE_BACKEND, "forst");
        c.set(ForStOptions.LOCAL_DIRECTORIES, dir.toString());
        c.set(ForStConfigurableOptions.WRITE_BUFFER_SIZE, writeBuffer);
      }
      case "isle-file", "isle-s3a" -> {
        c.set(StateBackendOptions.STATE_BACKEND, IsleStateBackendFactory.class.getName());
        c.set(IsleStateBackendOptions.MEMTABLE_SIZE, writeBuffer);
        c.set(IsleStateBackendOptions.LOCAL_DIR, dir.resolve("cache").toString());
        if (name.equals("isle-file")) {
          c.set(IsleStateBackendOptions.DIR, dir.resolve("db").toUri().toString());
        } else {
          if (s.s3aUri() == null) {
            throw new IllegalArgumentException("isle-s3a needs an S3 server (s3aUri unset)");
          }
          c.set(IsleStateBackendOptions.DIR, s.s3aUri() + "/flink-state-" + System.nanoTime());
          for (Map.Entry<String, String> e : s.s3aConf().entrySet()) {
            c.setString(IsleStateBackendOptions.HADOOP_PREFIX + e.getKey(), e.getValue());
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown state backend " + name);
    }
    return c;
  }

  /**
   * Opens backend {@code name} for every key group, its files under a new folder of {@code work}.
   */
  public static Opened open(String name, StateSettings s, Path work) throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(work), name + "-");
    ClassLoader cl = StateBackends.class.getClassLoader();
    StateBackend sb = StateBackendLoader.loadStateBackendFromConfig(config(name, s, dir), cl, null);
    MockEnvironment env =
        MockEnvironment.builder()
            .setManagedMemorySize(s.slotMemoryBytes())
            .setMaxParallelism(KEY_GROUPS)
            .build();
    try {
      JobID job = new JobID();
      // ForSt asks the task for its checkpoint storage even when nothing is checkpointed.
      env.setCheckpointStorageAccess(
          new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri())
              .createCheckpointStorage(job));
      CheckpointableKeyedStateBackend<Long> b =
          sb.createKeyedStateBackend(
              new KeyedStateBackendParametersImpl<>(
                  env,
                  job,
                  "bench-operator",
                  LongSerializer.INSTANCE,
                  KEY_GROUPS,
                  KeyGroupRange.of(0, KEY_GROUPS - 1),
                  env.getTaskKvStateRegistry(),
                  TtlTimeProvider.DEFAULT,
                  new UnregisteredMetricsGroup(),
                  (metric, value) -> {},
                  List.of(),
                  new CloseableRegistry(),
                  1.0));
      return new Opened(b, env, dir);
    } catch (Exception | Error e) {
      try {
        env.close();
      } catch (Exception | Error c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }
}
