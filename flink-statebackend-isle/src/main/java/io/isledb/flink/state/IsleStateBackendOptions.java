package io.isledb.flink.state;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the IsleDB state backend ({@code state.backend.type:
 * io.isledb.flink.state.IsleStateBackendFactory}). {@code docs/flink-statebackend.md} lists them
 * with their types and defaults; {@code IsleStateBackendOptionsDocTest} keeps the two in step.
 *
 * <p>The sizes of the shared engine resources ({@link #FLUSH_THREADS}, {@link #DOWNLOAD_THREADS},
 * {@link #BLOCK_CACHE_SIZE}, {@link #DISK_CACHE_SIZE}, {@link #MEMTABLE_BUDGET}, {@link
 * #LOCAL_DIR}) are per task manager JVM: the first keyed backend of the JVM creates the shared
 * resources with its configuration, and later backends share them until the last one closes.
 */
public final class IsleStateBackendOptions {
  private IsleStateBackendOptions() {}

  /** Prefix of the Hadoop settings passed through to the FileSystem (without the prefix). */
  public static final String HADOOP_PREFIX = "state.backend.isle.hadoop.";

  /**
   * Prefix of Flink's S3 settings ({@code s3.access-key}, {@code s3.endpoint}, ...) as read by the
   * {@code flink-s3-fs-hadoop} plugin; mapped onto S3A so that nothing is configured twice.
   */
  public static final String FLINK_S3_PREFIX = "s3.";

  /** Prefix of the manifest store options ({@code store}, {@code jdbc.url}, ...). */
  public static final String MANIFEST_PREFIX = "state.backend.isle.manifest.";

  /** The timer service implementations. */
  public enum TimerServiceType {
    /** Timers are written through to the database and cached in memory (the default). */
    ISLE,
    /** Timers live in memory and are written to the database at each checkpoint. */
    HEAP
  }

  public static final ConfigOption<String> DIR =
      ConfigOptions.key("state.backend.isle.dir")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Where the state databases live (any Hadoop FileSystem URI: file:///, s3a://,"
                  + " s3:// (mapped onto S3A), abfs://, ...). Each keyed backend instance has its"
                  + " own database under <dir>/<job id>/<operator id>/<backend id>. Default: the"
                  + " folder 'isle-state' under execution.checkpointing.dir.");

  public static final ConfigOption<String> LOCAL_DIR =
      ConfigOptions.key("state.backend.isle.local-dir")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Local directory of the task manager's shared disk cache of tables (must be"
                  + " writable). Default: a private temporary directory under java.io.tmpdir,"
                  + " deleted when the last backend of the JVM closes.");

  public static final ConfigOption<TimerServiceType> TIMER_SERVICE =
      ConfigOptions.key("state.backend.isle.timer-service.factory")
          .enumType(TimerServiceType.class)
          .defaultValue(TimerServiceType.ISLE)
          .withDescription(
              "Where timers live: ISLE (written through to the database, cached in memory) or"
                  + " HEAP (in memory, written to the database at each checkpoint).");

  public static final ConfigOption<MemorySize> MEMTABLE_SIZE =
      ConfigOptions.key("state.backend.isle.memtable.size")
          .memoryType()
          .defaultValue(MemorySize.parse("64mb"))
          .withDescription(
              "Bytes one backend buffers in its memtable before it is frozen and uploaded as a"
                  + " table (besides the cut of every checkpoint).");

  public static final ConfigOption<Integer> MAX_IMMUTABLE_MEMTABLES =
      ConfigOptions.key("state.backend.isle.memtable.max-immutable")
          .intType()
          .defaultValue(2)
          .withDescription(
              "Frozen memtables of one backend waiting for upload before state writes block.");

  public static final ConfigOption<MemorySize> MEMTABLE_BUDGET =
      ConfigOptions.key("state.backend.isle.memtable.budget")
          .memoryType()
          .defaultValue(MemorySize.parse("256mb"))
          .withDescription(
              "Memtable bytes across every backend of the task manager (shared resource).");

  public static final ConfigOption<MemorySize> BLOCK_CACHE_SIZE =
      ConfigOptions.key("state.backend.isle.block-cache.size")
          .memoryType()
          .defaultValue(MemorySize.parse("256mb"))
          .withDescription(
              "Decoded-block cache shared by every backend of the task manager (0 disables it).");

  /**
   * Off by default: Flink caps direct memory at framework + task off-heap + network memory, and a
   * block cache there would compete with Netty and the network buffers for that budget.
   */
  public static final ConfigOption<Boolean> BLOCK_CACHE_OFF_HEAP =
      ConfigOptions.key("state.backend.isle.block-cache.off-heap")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Keep decoded blocks in direct memory (freed on eviction, not copied by the garbage"
                  + " collector) instead of on the heap. It counts against the JVM's direct memory"
                  + " limit: give it 'taskmanager.memory.task.off-heap.size' of at least the"
                  + " block cache sizes; blocks that do not fit stay on the heap.");

  public static final ConfigOption<MemorySize> DISK_CACHE_SIZE =
      ConfigOptions.key("state.backend.isle.disk-cache.size")
          .memoryType()
          .defaultValue(MemorySize.parse("2gb"))
          .withDescription(
              "Local disk cache of whole tables shared by every backend of the task manager (0"
                  + " disables it; then cold reads are ranged GETs).");

  public static final ConfigOption<Integer> FLUSH_THREADS =
      ConfigOptions.key("state.backend.isle.flush-threads")
          .intType()
          .defaultValue(4)
          .withDescription("Threads of the task manager that upload memtables (shared resource).");

  public static final ConfigOption<Integer> DOWNLOAD_THREADS =
      ConfigOptions.key("state.backend.isle.download-threads")
          .intType()
          .defaultValue(4)
          .withDescription(
              "Threads of the task manager that download tables into the disk cache (shared"
                  + " resource).");

  public static final ConfigOption<Boolean> COMPACTION_ENABLED =
      ConfigOptions.key("state.backend.isle.compaction.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Whether each backend runs the engine's compactor on its database, on the task"
                  + " manager's shared compaction threads (never the task thread), triggered by its"
                  + " writer's commits (checkpoints and full memtables).");

  public static final ConfigOption<Integer> COMPACTION_L0_STOP_WRITES =
      ConfigOptions.key("state.backend.isle.compaction.l0-stop-writes")
          .intType()
          .defaultValue(io.isledb.CompactorOptions.DEFAULT_L0_STOP_WRITES)
          .withDescription(
              "While a backend's compactor runs, state writes wait (back-pressure on the task)"
                  + " whenever its database has this many L0 tables (freshly flushed memtables not"
                  + " yet compacted), until a compaction brings L0 below it; as RocksDB's"
                  + " level0_stop_writes_trigger. Each L0 table costs every state read of a key"
                  + " not in the memtable one more seek, so without the stall a burst of writes"
                  + " leaves reads slow until compaction catches up. 0: writes never wait. A"
                  + " failed compaction lifts the stall until the next one succeeds.");

  public static final ConfigOption<Duration> MAINTENANCE_START_DELAY =
      ConfigOptions.key("state.backend.isle.maintenance.start-delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "How long after a backend restored its database (reopened at a checkpoint, or"
                  + " forked by a rescale) its compactor and garbage collector are opened (off the"
                  + " task thread) and first look for work; checkpoints before then trigger no"
                  + " compaction. Without it a restore compacts the restored tables and lists and"
                  + " replays its whole store at once, beside its first state accesses. A new"
                  + " database's maintenance starts at once. 0: at once.");

  public static final ConfigOption<Duration> GC_INTERVAL =
      ConfigOptions.key("state.backend.isle.gc.interval")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "How often each backend's garbage collector runs a pass on its database (on the"
                  + " shared compaction threads). 0 disables GC: storage then only grows.");

  public static final ConfigOption<Duration> GC_GRACE_PERIOD =
      ConfigOptions.key("state.backend.isle.gc.grace-period")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "How long an unreferenced object survives before GC deletes it (the engine's"
                  + " gcGracePeriod). Recorded in each database when it is created: changing it"
                  + " later makes restores of existing databases fail.");

  public static final ConfigOption<Duration> GC_LOG_RETENTION =
      ConfigOptions.key("state.backend.isle.gc.log-retention")
          .durationType()
          .defaultValue(Duration.ZERO)
          .withDescription(
              "How long versions no checkpoint pins keep their tables (the engine's"
                  + " logRetention). Nothing tails a state database, so the default keeps only"
                  + " the head and the pinned checkpoints.");

  public static final ConfigOption<Duration> CHECKPOINT_PIN_TTL =
      ConfigOptions.key("state.backend.isle.checkpoint.pin-ttl")
          .durationType()
          .defaultValue(Duration.ofDays(7))
          .withDescription(
              "Expiry of a checkpoint's pin, counted from the checkpoint. A pin whose handle never"
                  + " reached the JobManager is collected after it; a retained checkpoint older"
                  + " than it cannot be restored. 0: pins never expire.");

  public static final ConfigOption<Boolean> MEMORY_MANAGED =
      ConfigOptions.key("state.backend.isle.memory.managed")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Size the memtable budget and block cache of the backends of a slot from the slot's"
                  + " Flink managed memory (shared by the slot's isle backends), as the RocksDB"
                  + " backend does. Off, or with no managed memory, the task manager's shared"
                  + " memtable.budget and block-cache.size apply.");

  public static final ConfigOption<MemorySize> MEMORY_FIXED_PER_SLOT =
      ConfigOptions.key("state.backend.isle.memory.fixed-per-slot")
          .memoryType()
          .noDefaultValue()
          .withDescription(
              "A fixed amount of memory per slot for the memtable budget and block cache of its"
                  + " isle backends, outside Flink's managed memory; overrides memory.managed.");

  public static final ConfigOption<Double> MEMORY_WRITE_BUFFER_RATIO =
      ConfigOptions.key("state.backend.isle.memory.write-buffer-ratio")
          .doubleType()
          .defaultValue(0.5)
          .withDescription(
              "Fraction of a slot's memory (managed or fixed per slot) that is the memtable budget"
                  + " of its backends; the rest is their block cache.");

  public static final ConfigOption<Integer> TIMER_CACHE_SIZE =
      ConfigOptions.key("state.backend.isle.timer-service.cache-size")
          .intType()
          .defaultValue(128)
          .withDescription(
              "Timers per key group an ISLE timer queue keeps in memory (its earliest ones); the"
                  + " rest stay in the database and are read in batches when the cached head runs"
                  + " dry.");

  public static final ConfigOption<Integer> GC_AFTER_CHECKPOINTS =
      ConfigOptions.key("state.backend.isle.gc.after-checkpoints")
          .intType()
          .defaultValue(0)
          .withDescription(
              "Besides gc.interval, each backend asks for one GC pass (on the shared compaction"
                  + " threads) after every this many completed checkpoints; 0: only the periodic"
                  + " passes. A pass lists the database's objects.");

  public static final ConfigOption<String> MANIFEST_STORE =
      ConfigOptions.key(MANIFEST_PREFIX + "store")
          .stringType()
          .defaultValue("object-store")
          .withDescription(
              "Where the manifests of the state databases (commit log, snapshots, checkpoint"
                  + " pins, GC state) are kept: 'object-store' (next to the tables, under"
                  + " state.backend.isle.dir) or 'jdbc' (in the PostgreSQL database"
                  + " manifest.jdbc.url names). Tables stay under state.backend.isle.dir either"
                  + " way. A job restoring a checkpoint must use the manifest store that wrote it.");

  public static final ConfigOption<String> MANIFEST_JDBC_URL =
      ConfigOptions.key(MANIFEST_PREFIX + "jdbc.url")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "JDBC URL of the manifest database (jdbc:postgresql://host:5432/db), required with"
                  + " manifest.store 'jdbc'; must not hold a password.");

  public static final ConfigOption<String> MANIFEST_JDBC_USER =
      ConfigOptions.key(MANIFEST_PREFIX + "jdbc.user")
          .stringType()
          .noDefaultValue()
          .withDescription("User of the manifest database (manifest.store 'jdbc').");

  public static final ConfigOption<String> MANIFEST_JDBC_PASSWORD =
      ConfigOptions.key(MANIFEST_PREFIX + "jdbc.password")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Password of manifest.jdbc.user: a secret (Flink hides keys containing 'password'"
                  + " in its logs and web UI); never in the backend's messages or checkpoints.");
}
