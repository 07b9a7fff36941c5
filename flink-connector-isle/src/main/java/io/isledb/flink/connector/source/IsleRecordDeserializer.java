package io.isledb.flink.connector.source;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns what an {@link IsleSource} reads into the records of the stream: key, value (null for a
 * delete), {@link IsleRecord.Kind kind} and version. It may emit nothing (a filter), one record or
 * several; projection belongs here too (decode only what is needed). The table connector builds its
 * RowData deserializer on this interface (snapshot rows and puts as +I/+U, deletes as -D).
 *
 * <p>Called on the source's task thread, one record at a time, in the order the source reads them.
 *
 * @param <T> the type of the stream's records
 */
public interface IsleRecordDeserializer<T> extends Serializable, ResultTypeQueryable<T> {
  /** Called once per reader before the first record (set up decoders here). */
  default void open() throws Exception {}

  /**
   * Emits the records {@code record} stands for into {@code out}. The record and its arrays belong
   * to the source: copy what you keep.
   */
  void deserialize(IsleRecord record, Collector<T> out) throws Exception;

  /**
   * Emits every record as it is: a POJO of key, value (null for a delete), kind, version and
   * expiry.
   */
  static IsleRecordDeserializer<IsleRecord> bytes() {
    return new BytesDeserializer();
  }

  /** {@link #bytes()}. */
  final class BytesDeserializer implements IsleRecordDeserializer<IsleRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(IsleRecord record, Collector<IsleRecord> out) {
      out.collect(
          new IsleRecord(
              record.getKind(),
              record.getKey(),
              record.getValue(),
              record.getVersion(),
              record.getExpiresAtMillis(),
              record.getCommitTimeMillis()));
    }

    @Override
    public TypeInformation<IsleRecord> getProducedType() {
      return TypeInformation.of(IsleRecord.class);
    }
  }
}
