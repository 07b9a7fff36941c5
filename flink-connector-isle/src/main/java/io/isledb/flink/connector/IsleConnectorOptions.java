package io.isledb.flink.connector;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.Description;

/**
 * Every option of the {@code 'connector' = 'isle'} table connector (docs/flink-connector.md lists
 * them with their defaults; a test keeps that page and this class in step). Keys that start with
 * {@value #HADOOP_PREFIX} are passed to Hadoop without the prefix; Flink's S3 plugin settings
 * ({@value #FLINK_S3_PREFIX}{@code *}) are mapped onto S3A as that plugin maps them. The lookup
 * cache options are Flink's standard {@code LookupOptions}.
 */
public final class IsleConnectorOptions {
  /** Prefix of the Hadoop configuration pass-through: {@code hadoop.fs.s3a.endpoint} etc. */
  public static final String HADOOP_PREFIX = "hadoop.";

  /** Prefix of Flink's S3 filesystem plugin settings, mapped onto {@code fs.s3a.*}. */
  public static final String FLINK_S3_PREFIX = "s3.";

  /** The database that is the table. */
  public static final ConfigOption<String> PATH =
      ConfigOptions.key("path")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Location of the table's IsleDB database: a Hadoop FileSystem URI such as"
                  + " s3a://bucket/warehouse/orders, file:///abs/dir/orders,"
                  + " abfs://container@account.dfs.core.windows.net/orders or gs://bucket/orders."
                  + " s3:// is read as s3a://. The scheme and authority select the store, the"
                  + " path is the database prefix inside it. Required.");

  // ---- scan ---------------------------------------------------------------------------------

  /** Whether a streaming job reads the table as a bounded scan. */
  public static final ConfigOption<Boolean> SCAN_BOUNDED =
      ConfigOptions.key("scan.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Read one version and finish, also in streaming mode. Batch mode always scans"
                  + " bounded.");

  /** Where an unbounded scan starts. */
  public static final ConfigOption<StartupMode> SCAN_STARTUP_MODE =
      ConfigOptions.key("scan.startup.mode")
          .enumType(StartupMode.class)
          .defaultValue(StartupMode.FULL)
          .withDescription(
              Description.builder()
                  .text(
                      "Where an unbounded scan starts: 'full' (the rows of the current version,"
                          + " then every change committed after it), 'latest' (only changes"
                          + " committed after the job starts) or 'version' (changes committed"
                          + " after 'scan.startup.version').")
                  .build());

  /** The version a bounded scan reads, or after which an unbounded scan starts. */
  public static final ConfigOption<Long> SCAN_STARTUP_VERSION =
      ConfigOptions.key("scan.startup.version")
          .longType()
          .noDefaultValue()
          .withDescription(
              "The version a bounded scan reads (default: the newest at planning), or after which"
                  + " an unbounded scan in 'version' mode starts. It must still be retained.");

  /** Name of the unbounded source's history pin. */
  public static final ConfigOption<String> SCAN_CONSUMER_ID =
      ConfigOptions.key("scan.consumer-id")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Name of the history pin an unbounded scan holds at its last completed checkpoint,"
                  + " so compaction and GC keep what it still needs. Default: derived from the job"
                  + " id and the source's operator id. Release it with IsleDB#unpin when the job"
                  + " is gone for good.");

  /** How often an unbounded scan polls for new versions. */
  public static final ConfigOption<Duration> SCAN_POLL_INTERVAL =
      ConfigOptions.key("scan.poll-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "How often an unbounded scan looks for new versions (one GET per interval per"
                  + " table when idle); bounds the latency of a change.");

  /** How long the pin of a bounded scan lives if the job dies without releasing it. */
  public static final ConfigOption<Duration> SCAN_PIN_TTL =
      ConfigOptions.key("scan.pin.ttl")
          .durationType()
          .defaultValue(Duration.ofHours(24))
          .withDescription(
              "Expiry of the version pin a bounded scan holds while it runs (released when the"
                  + " job ends; after a crash GC may drop it once it expired), and of an unbounded"
                  + " scan's history pin after its last move.");

  // ---- lookup -------------------------------------------------------------------------------

  /** Whether lookups run asynchronously. */
  public static final ConfigOption<Boolean> LOOKUP_ASYNC =
      ConfigOptions.key("lookup.async")
          .booleanType()
          .defaultValue(false)
          .withDescription("Run lookup joins with an asynchronous lookup function.");

  /** How soon a lookup sees new commits. */
  public static final ConfigOption<Duration> LOOKUP_REFRESH_INTERVAL =
      ConfigOptions.key("lookup.refresh-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "How often the shared lookup reader of a task manager moves to the newest version"
                  + " (one GET per interval per table).");

  /** Threads of the asynchronous lookup function. */
  public static final ConfigOption<Integer> LOOKUP_ASYNC_THREADS =
      ConfigOptions.key("lookup.async.threads")
          .intType()
          .defaultValue(8)
          .withDescription("Threads of a task manager's asynchronous lookups per table.");

  // ---- sink ---------------------------------------------------------------------------------

  /** Time to live of each row written. */
  public static final ConfigOption<Duration> SINK_TTL =
      ConfigOptions.key("sink.ttl")
          .durationType()
          .noDefaultValue()
          .withDescription(
              "Time to live of every row written: reads stop returning it after that time and"
                  + " compaction removes it. Default: rows never expire.");

  /** Memory a sink writer buffers before it spills a sorted table. */
  public static final ConfigOption<MemorySize> SINK_BUFFER_SIZE =
      ConfigOptions.key("sink.buffer-size")
          .memoryType()
          .defaultValue(MemorySize.ofMebiBytes(64))
          .withDescription(
              "Rows a sink writer keeps in memory per checkpoint before it writes them out as a"
                  + " sorted table; a checkpoint's rows are committed together whatever their"
                  + " size.");

  /** Commit user of the sink. */
  public static final ConfigOption<String> SINK_COMMIT_USER =
      ConfigOptions.key("sink.commit-user")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Commit user under which the sink's committer publishes one version per checkpoint"
                  + " (a replayed checkpoint is a no-op). Default: derived from the job id and"
                  + " the sink's operator id when the job first starts, then kept in its"
                  + " checkpoints and savepoints. A job starting without state under a commit"
                  + " user the table already knows is refused (its checkpoints would be skipped"
                  + " as replays).");

  /** {@code sink.lease-ttl}: how long a checkpoint's uploaded, uncommitted tables are kept. */
  public static final ConfigOption<Duration> SINK_LEASE_TTL =
      ConfigOptions.key("sink.lease-ttl")
          .durationType()
          .defaultValue(Duration.ofHours(24))
          .withDescription(
              "How long the tables a sink writer uploaded for a checkpoint stay safe from GC until"
                  + " the checkpoint is committed (at least the table's GC grace period). A job"
                  + " stopped longer than this cannot commit the checkpoint it restores: it fails"
                  + " naming this option. Raise it for sinks that may be stopped longer.");

  // ---- manifest store ------------------------------------------------------------------------

  /** {@code manifest.store}: where the table's manifest is kept. */
  public static final ConfigOption<String> MANIFEST_STORE =
      ConfigOptions.key("manifest.store")
          .stringType()
          .defaultValue("object-store")
          .withDescription(
              "Where the table's manifest (commit log, snapshots, pins, GC state) is kept:"
                  + " 'object-store' (next to the tables, under <path>/manifest/) or 'jdbc' (in the"
                  + " PostgreSQL database manifest.jdbc.url names). Tables and blobs stay under"
                  + " 'path' either way. Every job, tool and process using the table must say the"
                  + " same.");

  /** {@code manifest.jdbc.url}: the JDBC URL of the manifest database. */
  public static final ConfigOption<String> MANIFEST_JDBC_URL =
      ConfigOptions.key("manifest.jdbc.url")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "JDBC URL of the manifest database (jdbc:postgresql://host:5432/db), required when"
                  + " manifest.store is 'jdbc'. It must not hold a password: give it in"
                  + " manifest.jdbc.password.");

  /** {@code manifest.jdbc.user}: the user of the manifest database. */
  public static final ConfigOption<String> MANIFEST_JDBC_USER =
      ConfigOptions.key("manifest.jdbc.user")
          .stringType()
          .noDefaultValue()
          .withDescription("User of the manifest database (manifest.store 'jdbc').");

  /** {@code manifest.jdbc.password}: the password of the manifest database user (a secret). */
  public static final ConfigOption<String> MANIFEST_JDBC_PASSWORD =
      ConfigOptions.key("manifest.jdbc.password")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Password of manifest.jdbc.user (manifest.store 'jdbc'). A secret: never shown in"
                  + " the connector's messages, logs or plans summaries (Flink hides the values"
                  + " of keys containing 'password').");

  private IsleConnectorOptions() {}

  /** Where an unbounded scan starts ({@link #SCAN_STARTUP_MODE}). */
  public enum StartupMode {
    /** The rows of the current version, then every change committed after it. */
    FULL,
    /** Only changes committed after the job starts. */
    LATEST,
    /** Changes committed after {@link #SCAN_STARTUP_VERSION}. */
    VERSION;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
