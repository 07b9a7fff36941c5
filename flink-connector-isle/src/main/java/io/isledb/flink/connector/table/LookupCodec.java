package io.isledb.flink.connector.table;

import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.flink.table.data.RowData;

/**
 * How a lookup function turns a lookup key row into IsleDB keys and stored entries into result
 * rows. Built by the table source from the row codec for the lookup keys the planner chose; one
 * {@link Instance} per function instance (encoders reuse buffers and are not thread-safe).
 */
interface LookupCodec extends Serializable {
  /** A fresh, single-threaded encoder/decoder. */
  Instance open();

  /** The per-instance state: key encoding, row decoding, residual lookup-key matching. */
  interface Instance {
    /**
     * Whether the lookup keys cover the whole primary key, so a lookup is one point get of {@link
     * #fullKey}; otherwise it is a scan of {@link #prefixFrom} to {@link #prefixTo}.
     */
    boolean pointLookups();

    /** Whether a lookup column of the key row is NULL (such a lookup matches nothing). */
    boolean anyNull(RowData lookupKey);

    /** The full key of a lookup key row (only when {@link #pointLookups()}). */
    byte[] fullKey(RowData lookupKey);

    /** The first key of the prefix scan for a lookup key row. */
    byte[] prefixFrom(RowData lookupKey);

    /** The end (exclusive) of the prefix scan, null for unbounded. */
    @Nullable
    byte[] prefixTo(RowData lookupKey);

    /**
     * The result row of a stored entry, or null if the row does not match the lookup key on the
     * lookup columns that are not part of the scanned key prefix.
     */
    @Nullable
    RowData decode(byte[] key, byte[] value, RowData lookupKey);
  }
}
