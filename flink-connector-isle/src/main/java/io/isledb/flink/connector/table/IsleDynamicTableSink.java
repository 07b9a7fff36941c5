package io.isledb.flink.connector.table;

import io.isledb.flink.connector.sink.IsleSink;
import java.util.Arrays;
import java.util.Optional;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

/**
 * The table sink of an isle table, on {@link IsleSink}: an upsert sink for a table with a primary
 * key (rows hash-partitioned by key so each key has one writer, without Flink's keyed-input sort;
 * UPDATE_BEFORE dropped; DELETE written as a tombstone), an append-only sink otherwise. One version
 * per checkpoint (at end of input for a bounded job); {@code sink.ttl}, {@code sink.buffer-size},
 * {@code sink.commit-user} and {@code sink.parallelism} apply. The schema is stored with the table
 * before the job's first commit.
 */
final class IsleDynamicTableSink implements DynamicTableSink {
  private final TableConfig config;
  private final TableSchemaInfo schema;

  IsleDynamicTableSink(TableConfig config, TableSchemaInfo schema) {
    this.config = config;
    this.schema = schema;
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    if (!schema.hasPrimaryKey()) {
      return ChangelogMode.insertOnly();
    }
    return ChangelogMode.newBuilder()
        .addContainedKind(RowKind.INSERT)
        .addContainedKind(RowKind.UPDATE_AFTER)
        .addContainedKind(RowKind.DELETE)
        .keyOnlyDeletes(true)
        .build();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    // A new schema version is stored atomically with the sink's first commit (never at planning:
    // a planning-time commit would fence a job writing the table, and EXPLAIN would write).
    // A schema version, once stored, never changes (rows refer to it by id); which one is current
    // may move on.
    TableSchemaInfo stored = schema;
    IsleSink.Builder<RowData> b =
        RowDataSerialization.schemaStoringSinkBuilder(config.location(), stored)
            .bufferSize(new MemorySize(config.sinkBufferBytes()))
            .leaseTtl(config.sinkLeaseTtl());
    if (config.sinkTtl() != null) {
      b.ttl(config.sinkTtl());
    }
    if (config.sinkCommitUser() != null) {
      b.commitUser(config.sinkCommitUser());
    }
    IsleSink<RowData> sink = b.build();
    Integer parallelism = config.sinkParallelism();
    int[] key = schema.primaryKey();
    return new DataStreamSinkProvider() {
      @Override
      public DataStreamSink<?> consumeDataStream(
          ProviderContext provider, DataStream<RowData> rows) {
        DataStream<RowData> in = rows;
        if (key.length > 0) {
          // Every row of a key to one writer, in the order its upstream subtask sent them. Not
          // keyBy: a keyed input makes BATCH execution sort the whole input by key before the
          // writer (SortingDataInput), which the writer does not need: it sorts its own buffer.
          in = rows.partitionCustom(new HashPartitioner(), new PrimaryKeyHash(stored));
        }
        DataStreamSink<RowData> out = in.sinkTo(sink).name("Isle Sink " + config.location().uri());
        provider.generateUid("isle-sink").ifPresent(out::uid);
        if (parallelism != null) {
          out.setParallelism(parallelism);
        }
        return out;
      }

      @Override
      public Optional<Integer> getParallelism() {
        return Optional.ofNullable(parallelism);
      }
    };
  }

  /** The hash of a row's encoded primary key: one key, one writer. */
  static final class PrimaryKeyHash implements KeySelector<RowData, Integer> {
    private static final long serialVersionUID = 1L;
    private final TableSchemaInfo schema;
    private transient io.isledb.flink.connector.codec.KeyEncoder keys;

    PrimaryKeyHash(TableSchemaInfo schema) {
      this.schema = schema;
    }

    @Override
    public Integer getKey(RowData row) {
      if (keys == null) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        keys = schema.codec(cl != null ? cl : getClass().getClassLoader()).keyEncoder();
      }
      return Arrays.hashCode(keys.encodeKey(row));
    }
  }

  /** A key hash to a writer: the same hash, the same writer, for a fixed parallelism. */
  static final class HashPartitioner implements Partitioner<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public int partition(Integer hash, int writers) {
      return Math.floorMod(hash, writers);
    }
  }

  @Override
  public DynamicTableSink copy() {
    return new IsleDynamicTableSink(config, schema);
  }

  @Override
  public String asSummaryString() {
    return config.summary() + (schema.hasPrimaryKey() ? " upsert" : " append-only");
  }
}
