package io.isledb.flink.connector.sink;

import io.isledb.flink.connector.IsleConnectorOptions;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.sink.committer.CommittableAggregator;
import io.isledb.flink.connector.sink.committer.IsleCommittable;
import io.isledb.flink.connector.sink.committer.IsleCommittableSerializer;
import io.isledb.flink.connector.sink.committer.IsleCommitter;
import io.isledb.flink.connector.sink.writer.CheckpointIdSerializer;
import io.isledb.flink.connector.sink.writer.IsleSinkWriter;
import io.isledb.flink.connector.sink.writer.IsleWriteResult;
import io.isledb.flink.connector.sink.writer.IsleWriteResultSerializer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes a stream into an IsleDB table exactly once: each checkpoint's rows become one version of
 * the table, published when the checkpoint completes (docs/flink-connector.md, "Sink").
 *
 * <pre>{@code
 * stream
 *     .keyBy(r -> r.id)  // one key, one writer
 *     .sinkTo(IsleSink.<Order>builder()
 *         .path("s3a://bucket/tables/orders")
 *         .hadoopConf(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9000"))
 *         .serializer((order, out) -> out.put(order.keyBytes(), order.valueBytes()))
 *         .build())
 *     .uid("orders-sink");
 * }</pre>
 *
 * <p>Writers build sorted tables of their rows with bounded memory; at each checkpoint barrier they
 * upload them, one operator of parallelism 1 gathers every writer's tables of that checkpoint, and
 * the committer publishes them as one version under the sink's commit user with the checkpoint id
 * as identifier, so a replay after a failover is a no-op. Rows are visible once their checkpoint
 * completes; without checkpointing (a bounded job), at end of input.
 *
 * @param <T> the stream element type
 */
public final class IsleSink<T>
    implements Sink<T>,
        SupportsCommitter<IsleCommittable>,
        SupportsWriterState<T, Long>,
        SupportsPreCommitTopology<IsleWriteResult, IsleCommittable> {
  private static final long serialVersionUID = 1L;

  private final SinkSettings settings;
  private final IsleRecordSerializer<T> serializer;

  private IsleSink(SinkSettings settings, IsleRecordSerializer<T> serializer) {
    this.settings = settings;
    this.serializer = serializer;
  }

  /** A new builder. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new IsleSinkWriter<>(settings, serializer, context, List.of());
  }

  @Override
  public StatefulSinkWriter<T, Long> restoreWriter(
      WriterInitContext context, Collection<Long> recoveredState) {
    return new IsleSinkWriter<>(settings, serializer, context, recoveredState);
  }

  @Override
  public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
    return new CheckpointIdSerializer();
  }

  @Override
  public Committer<IsleCommittable> createCommitter(CommitterInitContext context) {
    return new IsleCommitter(
        settings.location(),
        settings.tableProperties(),
        settings.writeOnceKeys(),
        context.metricGroup());
  }

  @Override
  public SimpleVersionedSerializer<IsleCommittable> getCommittableSerializer() {
    return new IsleCommittableSerializer();
  }

  @Override
  public SimpleVersionedSerializer<IsleWriteResult> getWriteResultSerializer() {
    return new IsleWriteResultSerializer();
  }

  @Override
  public DataStream<CommittableMessage<IsleCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<IsleWriteResult>> results) {
    // Everything of a checkpoint to one aggregator, its single committable to committer subtask 0.
    return results
        .global()
        .transform(
            "Isle Aggregator",
            CommittableMessageTypeInfo.of(IsleCommittableSerializer::new),
            new CommittableAggregator(settings.location(), settings.commitUser()))
        .setParallelism(1)
        .setMaxParallelism(1)
        .global();
  }

  /** The settings this sink was built with (for the table layer and tests). */
  public SinkSettings settings() {
    return settings;
  }

  /** Builds an {@link IsleSink}; {@code path} (or {@code location}) and a serializer are needed. */
  public static final class Builder<T> {
    private String path;
    private TableLocation location;
    private final Map<String, String> hadoopConf = new HashMap<>();
    private IsleRecordSerializer<T> serializer;
    private String commitUser;
    private Duration ttl;
    private long bufferBytes = IsleConnectorOptions.SINK_BUFFER_SIZE.defaultValue().getBytes();
    private Duration leaseTtl = IsleConnectorOptions.SINK_LEASE_TTL.defaultValue();
    private final Map<String, String> tableProperties = new HashMap<>();
    private final java.util.Set<String> writeOnceKeys = new java.util.HashSet<>();

    private Builder() {}

    /** The table: a Hadoop FileSystem URI ({@code s3a://bucket/dir}, {@code file:///abs/dir}). */
    public Builder<T> path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      this.location = null;
      return this;
    }

    /** The table, as the table layer resolved it (instead of {@link #path}). */
    public Builder<T> location(TableLocation location) {
      this.location = Objects.requireNonNull(location, "location");
      this.path = null;
      return this;
    }

    /** Hadoop settings for {@link #path} (keys without any {@code hadoop.} prefix). */
    public Builder<T> hadoopConf(Map<String, String> conf) {
      hadoopConf.putAll(conf);
      return this;
    }

    /** How elements become writes; {@link IsleRecordSerializer#bytes()} for raw pairs. */
    public Builder<T> serializer(IsleRecordSerializer<T> serializer) {
      this.serializer = Objects.requireNonNull(serializer, "serializer");
      return this;
    }

    /** {@code sink.commit-user}: default unique per job, kept across savepoint restores. */
    public Builder<T> commitUser(String commitUser) {
      this.commitUser = commitUser;
      return this;
    }

    /** {@code sink.ttl}: time to live of rows written without one; default none. */
    public Builder<T> ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /** {@code sink.buffer-size}: memory per writer before a sorted table is spilled. */
    public Builder<T> bufferSize(MemorySize size) {
      this.bufferBytes = size.getBytes();
      return this;
    }

    /**
     * {@code sink.lease-ttl}: how long a checkpoint's uploaded tables stay safe from GC until
     * committed (default 24 h): a job down longer than this (plus the table's GC grace period)
     * cannot commit the checkpoint it restores and fails, without restarts, naming the option.
     */
    public Builder<T> leaseTtl(Duration leaseTtl) {
      this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
      return this;
    }

    /**
     * Table properties (for example the table layer's schema and key encoding) set atomically with
     * the sink's first commit, and again with the first commit after each restart (a few hundred
     * bytes in that edit); keys already set get the new values, others stay.
     */
    public Builder<T> tableProperties(Map<String, String> properties) {
      tableProperties.putAll(properties);
      return this;
    }

    /**
     * Like {@link #tableProperties}, but the properties are set once and never changed: if the
     * table already holds one of them with another value (another job set it since this one was
     * planned), the first commit is refused with CONFLICT naming the property, and the job is not
     * restarted. The table layer stores its schema versions this way.
     */
    public Builder<T> writeOnceTableProperties(Map<String, String> properties) {
      tableProperties.putAll(properties);
      writeOnceKeys.addAll(properties.keySet());
      return this;
    }

    /**
     * The sink.
     *
     * @throws io.isledb.IsleException INVALID_ARGUMENT for a missing or bad path or setting
     */
    public IsleSink<T> build() {
      Objects.requireNonNull(serializer, "serializer is required");
      TableLocation loc = location;
      if (loc == null) {
        Map<String, String> options = new HashMap<>();
        hadoopConf.forEach((k, v) -> options.put(IsleConnectorOptions.HADOOP_PREFIX + k, v));
        loc = TableLocation.of(path, options);
      }
      return new IsleSink<>(
          new SinkSettings(
              loc, commitUser, ttl, bufferBytes, leaseTtl, tableProperties, writeOnceKeys),
          serializer);
    }
  }
}
