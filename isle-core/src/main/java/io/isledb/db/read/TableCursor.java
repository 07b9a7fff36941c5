package io.isledb.db.read;

import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;

/** A cursor over one table, starting at the first key at or after {@code from} (null = first). */
@Internal
public final class TableCursor implements Cursor {
  private final SstMeta meta;
  private final TableIterator it;

  public TableCursor(Tables.Open table, byte[] from, ScanOptions scan) {
    this.meta = table.meta();
    this.it = table.reader().iterator(scan);
    if (from == null) {
      it.seekToFirst();
    } else {
      it.seek(from);
    }
  }

  @Override
  public boolean valid() {
    return it.valid();
  }

  @Override
  public void next() {
    it.next();
  }

  @Override
  public byte[] userKey() {
    return it.userKey();
  }

  @Override
  public byte[] keyArray() {
    return it.userKeyArray();
  }

  @Override
  public int keyLength() {
    return it.userKeyLength();
  }

  @Override
  public long seq() {
    return meta.globalSeq() != 0 ? meta.globalSeq() : it.seq();
  }

  @Override
  public ValueKind kind() {
    return it.kind();
  }

  @Override
  public long expiresAt() {
    return it.expiresAtMillis();
  }

  @Override
  public byte[] value() {
    return it.value();
  }

  @Override
  public String home() {
    return meta.home();
  }

  @Override
  public String where() {
    return "table " + meta.id();
  }

  @Override
  public void close() {
    // Table iterators hold no resources beyond memory.
  }
}
