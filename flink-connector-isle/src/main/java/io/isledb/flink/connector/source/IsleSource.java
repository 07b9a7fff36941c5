package io.isledb.flink.connector.source;

import io.isledb.flink.connector.source.enumerator.IsleEnumerator;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorState;
import io.isledb.flink.connector.source.enumerator.IsleEnumeratorStateSerializer;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.reader.IsleSourceReader;
import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.flink.connector.source.split.IsleSplitSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Reads an IsleDB table into a Flink stream (FLIP-27): a bounded scan of one pinned version, or an
 * unbounded scan of the rows of a version followed by every change committed after it, in commit
 * order, exactly once relative to checkpoints.
 *
 * <pre>{@code
 * IsleSource<IsleRecord> source = IsleSource.<IsleRecord>builder()
 *     .path("s3a://bucket/warehouse/orders")
 *     .hadoopConf(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9000"))
 *     .startupMode(StartupMode.FULL)          // or .bounded()
 *     .deserializer(IsleRecordDeserializer.bytes())
 *     .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "orders");
 * }</pre>
 *
 * Modes, positions, pins (and how to release them) and request costs: docs/flink-connector.md,
 * "Reading".
 *
 * @param <T> the type of the records the deserializer emits
 */
public final class IsleSource<T>
    implements Source<T, IsleSplit, IsleEnumeratorState>, ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;

  private final ScanConfig config;
  private final IsleRecordDeserializer<T> deserializer;

  IsleSource(ScanConfig config, IsleRecordDeserializer<T> deserializer) {
    this.config = config;
    this.deserializer = deserializer;
  }

  /** A builder of a source emitting {@code T}. */
  public static <T> IsleSourceBuilder<T> builder() {
    return new IsleSourceBuilder<>();
  }

  @Override
  public Boundedness getBoundedness() {
    return config.bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<T, IsleSplit> createReader(SourceReaderContext context) {
    return new IsleSourceReader<>(config, deserializer, context);
  }

  @Override
  public SplitEnumerator<IsleSplit, IsleEnumeratorState> createEnumerator(
      SplitEnumeratorContext<IsleSplit> context) {
    return new IsleEnumerator(config, context, IsleEnumeratorState.initial());
  }

  @Override
  public SplitEnumerator<IsleSplit, IsleEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<IsleSplit> context, IsleEnumeratorState state) {
    return new IsleEnumerator(config, context, state);
  }

  @Override
  public SimpleVersionedSerializer<IsleSplit> getSplitSerializer() {
    return IsleSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<IsleEnumeratorState> getEnumeratorCheckpointSerializer() {
    return IsleEnumeratorStateSerializer.INSTANCE;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return deserializer.getProducedType();
  }

  /** What the source reads and how (for the table connector and tests). */
  public ScanConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "IsleSource[" + config + "]";
  }
}
