package io.isledb.flink.state;

import io.isledb.IsleResourcesOptions;
import io.isledb.WriterOptions;
import io.isledb.flink.state.IsleStateBackendOptions.TimerServiceType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.AbstractStateBackend;
import org.apache.flink.runtime.state.BackendBuildingException;
import org.apache.flink.runtime.state.ConfigurableStateBackend;
import org.apache.flink.runtime.state.DefaultOperatorStateBackendBuilder;
import org.apache.flink.runtime.state.OperatorStateBackend;

/**
 * A Flink state backend whose keyed state lives in IsleDB databases on object storage (any Hadoop
 * FileSystem), one database per keyed backend instance, and whose checkpoints are published, pinned
 * versions of those databases. Operator state uses Flink's default operator state backend.
 *
 * <p>Select it with {@code state.backend.type: io.isledb.flink.state.IsleStateBackendFactory}, or
 * use it as an object: {@code new IsleStateBackend().configure(config, classLoader)} (configuration
 * in {@link IsleStateBackendOptions}; {@code configure} returns a new instance and leaves this one
 * unchanged).
 */
public class IsleStateBackend extends AbstractStateBackend implements ConfigurableStateBackend {
  private static final long serialVersionUID = 1L;

  /**
   * The folder under the checkpoint directory used when {@code state.backend.isle.dir} is unset.
   */
  static final String DEFAULT_FOLDER = "isle-state";

  private final StateLocation location; // null: not configured yet
  private final String localDir;
  private final TimerServiceType timerService;
  private final long memtableSize;
  private final int maxImmutableMemtables;
  private final long memtableBudget;
  private final long blockCacheSize;
  private final boolean blockCacheOffHeap;
  private final long diskCacheSize;
  private final int flushThreads;
  private final int downloadThreads;
  private final Maintenance maintenance;
  private final SlotMemory slotMemory;
  private final int timerCacheSize;

  /** A backend with the defaults of {@link IsleStateBackendOptions} and no location yet. */
  public IsleStateBackend() {
    this.location = null;
    this.localDir = null;
    this.timerService = IsleStateBackendOptions.TIMER_SERVICE.defaultValue();
    this.memtableSize = IsleStateBackendOptions.MEMTABLE_SIZE.defaultValue().getBytes();
    this.maxImmutableMemtables = IsleStateBackendOptions.MAX_IMMUTABLE_MEMTABLES.defaultValue();
    this.memtableBudget = IsleStateBackendOptions.MEMTABLE_BUDGET.defaultValue().getBytes();
    this.blockCacheSize = IsleStateBackendOptions.BLOCK_CACHE_SIZE.defaultValue().getBytes();
    this.blockCacheOffHeap = IsleStateBackendOptions.BLOCK_CACHE_OFF_HEAP.defaultValue();
    this.diskCacheSize = IsleStateBackendOptions.DISK_CACHE_SIZE.defaultValue().getBytes();
    this.flushThreads = IsleStateBackendOptions.FLUSH_THREADS.defaultValue();
    this.downloadThreads = IsleStateBackendOptions.DOWNLOAD_THREADS.defaultValue();
    this.maintenance = Maintenance.DEFAULTS;
    this.slotMemory = SlotMemory.DEFAULTS;
    this.timerCacheSize = IsleStateBackendOptions.TIMER_CACHE_SIZE.defaultValue();
  }

  private IsleStateBackend(IsleStateBackend original, ReadableConfig config) {
    this.latencyTrackingConfigBuilder = original.latencyTrackingConfigBuilder.configure(config);
    this.sizeTrackingConfigBuilder = original.sizeTrackingConfigBuilder.configure(config);
    this.location = resolveLocation(config, original.location);
    this.localDir = config.getOptional(IsleStateBackendOptions.LOCAL_DIR).orElse(original.localDir);
    this.timerService =
        config.getOptional(IsleStateBackendOptions.TIMER_SERVICE).orElse(original.timerService);
    this.memtableSize =
        positive(
            config,
            IsleStateBackendOptions.MEMTABLE_SIZE.key(),
            original.memtableSize,
            config.getOptional(IsleStateBackendOptions.MEMTABLE_SIZE).map(m -> m.getBytes()));
    this.maxImmutableMemtables =
        (int)
            positive(
                config,
                IsleStateBackendOptions.MAX_IMMUTABLE_MEMTABLES.key(),
                original.maxImmutableMemtables,
                config
                    .getOptional(IsleStateBackendOptions.MAX_IMMUTABLE_MEMTABLES)
                    .map(i -> (long) i));
    this.memtableBudget =
        positive(
            config,
            IsleStateBackendOptions.MEMTABLE_BUDGET.key(),
            original.memtableBudget,
            config.getOptional(IsleStateBackendOptions.MEMTABLE_BUDGET).map(m -> m.getBytes()));
    this.blockCacheSize =
        config
            .getOptional(IsleStateBackendOptions.BLOCK_CACHE_SIZE)
            .map(m -> m.getBytes())
            .orElse(original.blockCacheSize);
    this.blockCacheOffHeap =
        config
            .getOptional(IsleStateBackendOptions.BLOCK_CACHE_OFF_HEAP)
            .orElse(original.blockCacheOffHeap);
    this.diskCacheSize =
        config
            .getOptional(IsleStateBackendOptions.DISK_CACHE_SIZE)
            .map(m -> m.getBytes())
            .orElse(original.diskCacheSize);
    this.flushThreads =
        (int)
            positive(
                config,
                IsleStateBackendOptions.FLUSH_THREADS.key(),
                original.flushThreads,
                config.getOptional(IsleStateBackendOptions.FLUSH_THREADS).map(i -> (long) i));
    this.downloadThreads =
        (int)
            positive(
                config,
                IsleStateBackendOptions.DOWNLOAD_THREADS.key(),
                original.downloadThreads,
                config.getOptional(IsleStateBackendOptions.DOWNLOAD_THREADS).map(i -> (long) i));
    this.maintenance = Maintenance.configure(config, original.maintenance);
    this.slotMemory = SlotMemory.configure(config, original.slotMemory);
    this.timerCacheSize =
        (int)
            positive(
                config,
                IsleStateBackendOptions.TIMER_CACHE_SIZE.key(),
                original.timerCacheSize,
                config.getOptional(IsleStateBackendOptions.TIMER_CACHE_SIZE).map(i -> (long) i));
  }

  private static long positive(
      ReadableConfig config, String key, long current, java.util.Optional<Long> value) {
    long v = value.orElse(current);
    if (v < 1) {
      throw new IllegalConfigurationException("'" + key + "' must be positive, got " + v);
    }
    return v;
  }

  private static StateLocation resolveLocation(ReadableConfig config, StateLocation current) {
    Map<String, String> hadoop = StateLocation.hadoopSettings(config);
    var dir = config.getOptional(IsleStateBackendOptions.DIR);
    if (dir.isPresent()) {
      return StateLocation.of(IsleStateBackendOptions.DIR.key(), dir.get(), hadoop);
    }
    var checkpoints = config.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    if (checkpoints.isPresent()) {
      String base = checkpoints.get();
      String uri = (base.endsWith("/") ? base : base + "/") + DEFAULT_FOLDER;
      return StateLocation.of(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), uri, hadoop);
    }
    if (current != null && !hadoop.isEmpty()) {
      return new StateLocation(current.storeUri(), current.basePrefix(), hadoop);
    }
    return current;
  }

  @Override
  public IsleStateBackend configure(ReadableConfig config, ClassLoader classLoader) {
    return new IsleStateBackend(this, config);
  }

  @Override
  public String getName() {
    return "isle";
  }

  /**
   * True unless {@code state.backend.isle.memory.managed} is off or a fixed size per slot is set:
   * the backends of a slot then size their memtable budget and block cache from the slot's managed
   * memory, as the RocksDB backend does.
   */
  @Override
  public boolean useManagedMemory() {
    return slotMemory.usesManagedMemory();
  }

  @Override
  public boolean supportsNoClaimRestoreMode() {
    // Only the job that wrote a checkpoint reopens its database; any other job (NO_CLAIM, or a
    // second job from the same retained checkpoint) restores a copy into its own database, and its
    // checkpoints never reference the source's. Issue 13 replaces the copy with a zero-copy fork.
    return true;
  }

  @Override
  public boolean supportsSavepointFormat(org.apache.flink.core.execution.SavepointFormatType f) {
    return true; // canonical: Flink's key-groups format; native: the pinned version
  }

  @Override
  public <K> AbstractKeyedStateBackend<K> createKeyedStateBackend(
      KeyedStateBackendParameters<K> parameters) throws BackendBuildingException {
    if (location == null) {
      throw new BackendBuildingException(
          "The isle state backend has no location: set '"
              + IsleStateBackendOptions.DIR.key()
              + "' or '"
              + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
              + "'",
          new IllegalConfigurationException(IsleStateBackendOptions.DIR.key()));
    }
    Environment env = parameters.getEnv();
    return new IsleKeyedStateBackendBuilder<>(
            parameters,
            location,
            resourcesOptions(),
            writerOptions(),
            timerService,
            latencyTrackingConfigBuilder.setMetricGroup(parameters.getMetricGroup()).build(),
            sizeTrackingConfigBuilder.setMetricGroup(parameters.getMetricGroup()).build(),
            getCompressionDecorator(env.getExecutionConfig()),
            maintenance,
            slotMemory,
            timerCacheSize)
        .build();
  }

  @Override
  public OperatorStateBackend createOperatorStateBackend(OperatorStateBackendParameters parameters)
      throws BackendBuildingException {
    Environment env = parameters.getEnv();
    return new DefaultOperatorStateBackendBuilder(
            env.getUserCodeClassLoader().asClassLoader(),
            env.getExecutionConfig(),
            true,
            parameters.getStateHandles(),
            parameters.getCancelStreamRegistry())
        .build();
  }

  IsleResourcesOptions resourcesOptions() {
    Path cacheDir = null;
    if (localDir != null) {
      cacheDir = new File(localDir).toPath();
      try {
        Files.createDirectories(cacheDir);
      } catch (java.io.IOException e) {
        throw new IllegalConfigurationException(
            "'" + IsleStateBackendOptions.LOCAL_DIR.key() + "' cannot be created: " + localDir, e);
      }
      if (!Files.isWritable(cacheDir)) {
        throw new IllegalConfigurationException(
            "'" + IsleStateBackendOptions.LOCAL_DIR.key() + "' is not writable: " + localDir);
      }
    }
    return IsleResourcesOptions.defaults()
        .withFlushThreads(flushThreads)
        .withDownloadThreads(downloadThreads)
        .withMemtableBudgetBytes(memtableBudget)
        .withBlockCacheBytes(blockCacheSize)
        .withOffHeapBlockCache(blockCacheOffHeap)
        .withDiskCacheBytes(diskCacheSize)
        .withDiskCacheDir(cacheDir);
  }

  WriterOptions writerOptions() {
    // No interval flushes: a backend uploads when its memtable is full and at each checkpoint's
    // cut, and keeps only the newest entry of a key per flush (state, not history).
    return WriterOptions.defaults()
        .withMemtableSize(memtableSize)
        .withMaxImmutableMemtables(maxImmutableMemtables)
        .withFlushInterval(Duration.ZERO)
        .withNewestVersionOnly(true);
  }

  /** Where the databases live (null until configured with a directory). */
  String locationUri() {
    return location == null ? null : location.storeUri() + location.basePrefix();
  }

  /** Compaction, GC, pin and manifest store settings of this backend's databases. */
  Maintenance maintenance() {
    return maintenance;
  }

  TimerServiceType timerService() {
    return timerService;
  }

  @Override
  public String toString() {
    return "IsleStateBackend{location="
        + location
        + ", timerService="
        + timerService
        + ", memtableSize="
        + memtableSize
        + "}";
  }
}
