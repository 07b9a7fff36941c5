package io.isledb.flink.connector.sink;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Turns a stream element into the writes of an {@link IsleSink}: for each element the serializer
 * calls {@link Output} zero or more times ({@code put}, {@code delete}, {@code append}); calling
 * nothing skips the element. Within one checkpoint of one writer the last write of a key wins.
 *
 * <p>Keys must reach the same writer subtask for every write of that key (key the stream by it,
 * {@code stream.keyBy(...)}), otherwise two writers may commit different values of a key in the
 * same checkpoint and either may win. {@code append} needs no key: the writer makes a key unique in
 * the table and ordered per writer (docs/flink-connector.md, "Sink").
 *
 * @param <T> the stream element type
 */
@FunctionalInterface
public interface IsleRecordSerializer<T> extends Serializable {

  /**
   * Emits the writes of {@code element} to {@code out}; the arrays are not copied: do not reuse.
   */
  void serialize(T element, Output out);

  /** What a serializer writes to. Not thread-safe; valid only during {@link #serialize}. */
  interface Output {
    /** Writes {@code key -> value}, with the sink's time to live ({@code sink.ttl}) if any. */
    void put(byte[] key, byte[] value);

    /** Writes {@code key -> value} that expires {@code ttl} after it is committed. */
    void put(byte[] key, byte[] value, Duration ttl);

    /** Writes a tombstone for {@code key}. */
    void delete(byte[] key);

    /**
     * Writes {@code value} under a key the writer generates: unique in the table, ascending in the
     * order this writer appends, and the same again when a failover replays the same input in the
     * same order (docs/flink-connector.md, "Append keys").
     */
    void append(byte[] value);

    /** Like {@link #append(byte[])}, expiring {@code ttl} after it is committed. */
    void append(byte[] value, Duration ttl);
  }

  /**
   * Raw pairs: {@code f0} is the key, {@code f1} the value. (Flink cannot ship a tuple with a null
   * field between operators, so tombstones need a serializer that calls {@link Output#delete}.)
   */
  static IsleRecordSerializer<Tuple2<byte[], byte[]>> bytes() {
    return (element, out) -> out.put(element.f0, element.f1);
  }

  /** Raw values of an append-only table: each element is appended under a generated key. */
  static IsleRecordSerializer<byte[]> appendBytes() {
    return (element, out) -> out.append(element);
  }
}
