package io.isledb.db.tail;

import io.isledb.sst.TableIterator;
import io.isledb.sst.ValueKind;

/**
 * One entry of a table a tailed edit added, as the tailing reader emits it.
 *
 * @param seq the sequence number readers see (the table's global one for external tables)
 * @param table the id of the table it came from (named in blob errors)
 */
record TailEntry(byte[] key, long seq, ValueKind kind, long expiresAt, byte[] value, String table) {

  /** The entry {@code it} is positioned on, in the table {@code meta}. */
  static TailEntry of(TableIterator it, io.isledb.manifest.SstMeta meta) {
    long seq = meta.globalSeq() != 0 ? meta.globalSeq() : it.seq();
    return new TailEntry(it.userKey(), seq, it.kind(), it.expiresAtMillis(), it.value(), meta.id());
  }
}
