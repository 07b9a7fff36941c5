package io.isledb.db.read;

import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.List;

/** A cursor over a sorted run: its tables one after another, each opened only when reached. */
@Internal
public final class RunCursor implements Cursor {
  private final List<SstMeta> tables;
  private final Tables open;
  private final ScanOptions scan;
  private int index;
  private TableCursor current;

  public RunCursor(SortedRun run, Tables open, byte[] from, ScanOptions scan) {
    this.tables = run.tables();
    this.open = open;
    this.scan = scan;
    index = firstEndingAtOrAfter(tables, from);
    openAt(from);
  }

  /** The first of a sorted run's {@code tables} whose largest key is at or after {@code from}. */
  static int firstEndingAtOrAfter(List<SstMeta> tables, byte[] from) {
    if (from == null) {
      return 0;
    }
    int lo = 0;
    int hi = tables.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Bytes.compare(tables.get(mid).largestKey(), from) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void openAt(byte[] from) {
    while (index < tables.size()) {
      current = new TableCursor(open.get(tables.get(index)), from, scan);
      if (current.valid()) {
        return;
      }
      current.close();
      current = null;
      index++;
      from = null;
    }
  }

  @Override
  public boolean valid() {
    return current != null && current.valid();
  }

  @Override
  public void next() {
    current.next();
    if (!current.valid()) {
      current.close();
      current = null;
      index++;
      openAt(null);
    }
  }

  @Override
  public byte[] userKey() {
    return current.userKey();
  }

  @Override
  public byte[] keyArray() {
    return current.keyArray();
  }

  @Override
  public int keyLength() {
    return current.keyLength();
  }

  @Override
  public long seq() {
    return current.seq();
  }

  @Override
  public ValueKind kind() {
    return current.kind();
  }

  @Override
  public long expiresAt() {
    return current.expiresAt();
  }

  @Override
  public byte[] value() {
    return current.value();
  }

  @Override
  public String where() {
    return current.where();
  }

  @Override
  public String home() {
    return current.home();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
