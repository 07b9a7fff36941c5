package io.isledb.flink.connector.sink;

import io.isledb.IsleException;
import io.isledb.SstWriterOptions;
import io.isledb.flink.connector.internal.TableLocation;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;

/**
 * What the writers and the committer of one {@link IsleSink} need to know: where the table is and
 * how to write it. Serializable (it travels in the job graph).
 *
 * @param location the table
 * @param commitUser the configured commit user, or null for the default (docs, "Commit user")
 * @param ttl time to live of rows written without one, or null for none
 * @param bufferBytes memory a writer buffers per checkpoint before it spills a sorted table
 * @param leaseTtl how long uploaded, not yet committed tables stay safe from GC
 * @param tableProperties table properties (schema, key encoding...) the committer sets atomically
 *     with its first commit, and again with the first commit after each restart
 * @param writeOnceKeys keys of {@code tableProperties} that may be set but never changed: the first
 *     commit is refused if the table holds one of them with another value
 */
@Internal
public record SinkSettings(
    TableLocation location,
    String commitUser,
    Duration ttl,
    long bufferBytes,
    Duration leaseTtl,
    Map<String, String> tableProperties,
    Set<String> writeOnceKeys)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public SinkSettings {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    tableProperties = Collections.unmodifiableMap(new TreeMap<>(tableProperties));
    writeOnceKeys = Collections.unmodifiableSet(new java.util.TreeSet<>(writeOnceKeys));
    if (commitUser != null && commitUser.isBlank()) {
      throw IsleException.invalidArgument("sink.commit-user must not be blank");
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw IsleException.invalidArgument("sink.ttl must be positive, got " + ttl);
    }
    if (bufferBytes < 1 << 16) {
      throw IsleException.invalidArgument(
          "sink.buffer-size must be at least 64 KiB, got " + bufferBytes + " bytes");
    }
    if (leaseTtl.isNegative() || leaseTtl.isZero()) {
      throw IsleException.invalidArgument("the sink's lease ttl must be positive, got " + leaseTtl);
    }
  }

  /** The options of a writer's {@link io.isledb.SstWriter}. */
  public SstWriterOptions sstWriterOptions() {
    return SstWriterOptions.defaults().withBufferBytes(bufferBytes).withLeaseTtl(leaseTtl);
  }
}
