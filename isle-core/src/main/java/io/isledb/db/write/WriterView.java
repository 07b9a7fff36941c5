package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.db.read.Appends;
import io.isledb.db.read.Cursor;
import io.isledb.db.read.WriterReads;
import io.isledb.sst.Entry;
import io.isledb.sst.ValueKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A writer's read-your-writes view ({@link DbWriter#view()}): the active memtable, the frozen ones
 * waiting for upload (newest first) and the writer's head version, read as one state of the writer.
 * Every call reflects every write whose {@code put}/{@code delete} returned before the call started
 * (on any thread); a scan's iterator is fixed when {@code scan} is called.
 *
 * <p>Consistency: the memtables are taken under the writer's write lock (so no put or rotation runs
 * meanwhile), then the head. A memtable leaves the frozen list only after its commit set the head,
 * so whatever is missing from the list taken is in the head read after it. Entries older than a
 * memtable's newer versions of the same key lose by sequence number, exactly as in a flushed table.
 */
final class WriterView implements ReadView {
  /**
   * The result of a read of the active memtable under the writer's write lock, and the frozen
   * memtables (newest first) taken under the same lock.
   */
  record Memtables<T>(T active, List<Memtable> frozen) {}

  private final DbWriter writer;
  private final WriterReads reads;
  private final java.time.Clock clock;
  private volatile boolean closed;

  WriterView(DbWriter writer, WriterReads reads, java.time.Clock clock) {
    this.writer = writer;
    this.reads = reads;
    this.clock = clock;
  }

  private void check() {
    if (closed) {
      throw IsleException.closed("view of the writer");
    }
    writer.checkUsable();
  }

  @Override
  public Optional<byte[]> get(byte[] key) {
    WriterReads.checkKey(key);
    check();
    Memtables<Entry[]> ms = writer.memtables(m -> m.findChain(key));
    // As a reader of the flushed tables: a deletion or an expired entry hides older versions, and
    // append operands stack on what is older. Memtable values are never blob references (the
    // flush makes those).
    Appends appends = null;
    long now = Long.MIN_VALUE;
    for (int i = -1; i < ms.frozen().size(); i++) {
      Entry[] chain = i < 0 ? ms.active() : ms.frozen().get(i).findChain(key);
      if (chain == null) {
        continue;
      }
      for (Entry hit : chain) {
        ValueKind kind = hit.kind();
        if (kind.isAppend()) {
          appends = appends == null ? new Appends() : appends;
          appends.add(hit.value());
          continue;
        }
        if (kind.hasExpiry() && now == Long.MIN_VALUE) {
          now = clock.millis();
        }
        boolean expired = kind.hasExpiry() && hit.expiresAtMillis() <= now;
        Optional<byte[]> base =
            kind.isTombstone() || expired ? Optional.empty() : Optional.of(hit.value());
        return appends == null ? base : appends.resolve(base);
      }
    }
    Optional<byte[]> older = reads.get(writer.viewHead(), key);
    return appends == null ? older : appends.resolve(older);
  }

  @Override
  public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
    check();
    Memtables<MemtableSnapshot> ms = writer.memtables(Memtable::snapshot);
    List<MemtableSnapshot> snaps = new ArrayList<>();
    snaps.add(ms.active());
    for (Memtable m : ms.frozen()) {
      snaps.add(m.snapshot());
    }
    List<Cursor> newer = new ArrayList<>(snaps.size());
    for (MemtableSnapshot s : snaps) {
      newer.add(s.cursor(fromInclusive, "the writer's memtable"));
    }
    return reads.scan(writer.viewHead(), fromInclusive, toExclusive, newer);
  }

  /**
   * Splits like a reader's view of the writer's head: at most {@code maxSplits} key ranges of about
   * equal size from the head's table metadata (no storage request). The ranges cover the whole key
   * space, so scanning each on this writer view (or a later one) returns every visible key, the
   * memtables' included, exactly once. The memtables do not shape the cuts: their keys are not kept
   * sorted and they hold at most a few write buffers, so they are assumed to follow the tables' key
   * distribution (a writer whose data is all unflushed gets one split). The splits carry the head's
   * version; a reader opening that version does not see the unflushed writes.
   */
  @Override
  public List<io.isledb.ScanSplit> splits(int maxSplits) {
    check();
    return WriterReads.splits(writer.viewHead(), maxSplits);
  }

  /** The writer's last committed version: the view also holds its unflushed writes. */
  @Override
  public long version() {
    return writer.lastCommittedVersion();
  }

  /** The tables of the writer's last committed version (the head). */
  @Override
  public List<String> tableObjects() {
    check();
    return io.isledb.manifest.ManifestPaths.tableObjects(writer.viewHead());
  }

  /** The head's table properties: {@link DbWriter#commitProperties} commits them at once. */
  @Override
  public java.util.Map<String, String> properties() {
    check();
    return writer.viewHead().commits().properties();
  }

  @Override
  public Optional<io.isledb.CommitMark> lastCommitted(String commitUser) {
    check();
    return writer.viewHead().commits().mark(commitUser);
  }

  @Override
  public void close() {
    closed = true;
  }
}
