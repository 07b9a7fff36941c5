package io.isledb.flink.connector.source.reader;

import io.isledb.Change;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.RolledBackException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Reads a subtask's splits on Flink's fetcher thread: scans first (a batch of rows per fetch, one
 * split at a time), then polls every tailing split once per fetch. When no tail had anything new it
 * waits one poll interval, or less if {@link #wakeUp()} (new splits, pause, shutdown) comes first,
 * so an idle split costs one poll (one GET) per interval.
 */
final class IsleSplitReader implements SplitReader<Fetched, IsleSplit> {
  static final int BATCH = 1024;

  private final ScanConfig config;
  private final Map<String, Active> splits = new LinkedHashMap<>();
  private final Object wakeLock = new Object();
  private boolean woken;

  /**
   * The task's table, reader and loaded versions (splits of one version share its loaded state),
   * shared with the split readers Flink creates for later splits.
   */
  private final ScanViews views;

  /** Whether this split reader made {@link #views} itself (tests) and closes it. */
  private final boolean ownsViews;

  private final SourceGauges gauges;

  /**
   * Rows the subtask scanned (a bounded scan's limit): shared by the subtask's split readers, since
   * Flink replaces an idle fetcher (and its split reader) by a new one for the next split.
   */
  private final java.util.concurrent.atomic.AtomicLong rowsScanned;

  /** A split reader with a table of its own (tests). */
  IsleSplitReader(ScanConfig config) {
    this(config, new SourceGauges());
  }

  /** As above, reporting to {@code gauges} (tests). */
  IsleSplitReader(ScanConfig config, SourceGauges gauges) {
    this(
        config,
        gauges,
        new java.util.concurrent.atomic.AtomicLong(),
        new ScanViews(config.location(), gauges),
        true);
  }

  /** A split reader of a source reader task, over the task's {@code views} (not closed here). */
  IsleSplitReader(
      ScanConfig config,
      SourceGauges gauges,
      java.util.concurrent.atomic.AtomicLong rowsScanned,
      ScanViews views) {
    this(config, gauges, rowsScanned, views, false);
  }

  private IsleSplitReader(
      ScanConfig config,
      SourceGauges gauges,
      java.util.concurrent.atomic.AtomicLong rowsScanned,
      ScanViews views,
      boolean ownsViews) {
    this.rowsScanned = rowsScanned;
    this.config = config;
    this.views = views;
    this.ownsViews = ownsViews;
    this.gauges = gauges;
  }

  @Override
  public RecordsWithSplitIds<Fetched> fetch() {
    RecordsBySplits.Builder<Fetched> out = new RecordsBySplits.Builder<>();
    for (Active a : splits.values()) {
      if (a.scanning) {
        scan(a, out);
        return out.build();
      }
    }
    boolean any = false;
    for (Active a : splits.values()) {
      any |= poll(a, out);
    }
    if (!any && !splits.isEmpty()) {
      awaitPollInterval();
    }
    return out.build();
  }

  private void scan(Active a, RecordsBySplits.Builder<Fetched> out) {
    IsleSplit s = a.split;
    try {
      if (a.pending == null) {
        a.pending = remainingRanges(s);
      }
      int n = 0;
      while (n < BATCH && !limitReached()) {
        if (a.rows == null) {
          KeyRange r = a.pending.poll();
          if (r == null) {
            break;
          }
          ReadView view = views.view(s.snapshotVersion());
          a.rows = view.scan(r.fromInclusive(), r.toExclusive());
        }
        if (!a.rows.hasNext()) {
          a.closeScan();
          continue;
        }
        KV kv = a.rows.next();
        IsleRecord r =
            new IsleRecord(IsleRecord.Kind.SNAPSHOT, kv.key(), kv.value(), s.snapshotVersion(), 0);
        out.add(s.splitId(), new Fetched(r, null));
        n++;
        rowsScanned.incrementAndGet();
      }
      if (!limitReached() && (a.rows != null || !a.pending.isEmpty())) {
        return; // more to scan: the next fetch goes on
      }
    } catch (IsleException e) {
      throw notRetained(s.snapshotVersion(), e);
    }
    a.closeScan();
    a.scanning = false;
    if (!config.bounded() && splits.values().stream().noneMatch(x -> x.scanning)) {
      // An unbounded reader scans only at its start (later bounded splits may reuse the view).
      views.releaseViews();
    }
    if (s.isUnbounded()) {
      out.add(s.splitId(), Fetched.SCAN_DONE);
    } else {
      out.addFinishedSplit(s.splitId());
      splits.remove(s.splitId());
    }
  }

  /**
   * A bounded scan with a pushed-down limit stops reading once this reader scanned that many rows:
   * the split in progress and every later one finish without another read (Flink applies the limit
   * itself downstream).
   */
  private boolean limitReached() {
    return limitReached(config, rowsScanned.get());
  }

  /** Whether a bounded scan with a limit has scanned {@code scanned} rows, enough for it. */
  static boolean limitReached(ScanConfig config, long scanned) {
    return config.bounded() && config.limit() >= 0 && scanned >= config.limit();
  }

  /** The split's ranges still to scan: those after its last emitted key, in key order. */
  private static java.util.ArrayDeque<KeyRange> remainingRanges(IsleSplit s) {
    byte[] resume = s.resumeAfter();
    byte[] start = resume == null ? null : successor(resume);
    java.util.ArrayDeque<KeyRange> out = new java.util.ArrayDeque<>();
    for (KeyRange r : s.readRanges()) {
      byte[] from = r.fromInclusive();
      if (start != null && (from == null || Arrays.compareUnsigned(start, from) > 0)) {
        from = start;
      }
      KeyRange left = new KeyRange(from, r.toExclusive());
      if (!left.isEmpty()) {
        out.add(left);
      }
    }
    return out;
  }

  /** Polls one tailing split; true if it emitted a change. */
  private boolean poll(Active a, RecordsBySplits.Builder<Fetched> out) {
    IsleSplit s = a.split;
    if (a.tail == null) {
      a.tail =
          views
              .db()
              .openTailingReader(
                  TailingReaderOptions.defaults()
                      .withPollInterval(config.pollInterval())
                      .withKeyRange(s.from(), s.to()));
    }
    TailBatch batch;
    try {
      batch = a.tail.poll(a.position, BATCH);
    } catch (RolledBackException e) {
      throw rolledBack(a, e);
    }
    TailPosition last = a.position;
    for (Change c : batch.changes()) {
      if (s.ranges() != null && !s.reads(c.key())) {
        continue; // between the split's ranges: its position still moves (below)
      }
      if (c.type() == Change.Type.APPEND) {
        throw appendInTable(a, c);
      }
      boolean delete = c.type() == Change.Type.DELETE;
      IsleRecord r =
          new IsleRecord(
              delete ? IsleRecord.Kind.DELETE : IsleRecord.Kind.PUT,
              c.key(),
              delete ? null : c.value(),
              c.version(),
              c.expiresAtMillis(),
              c.commitTimeMillis());
      out.add(s.splitId(), new Fetched(r, c.next()));
      last = c.next();
    }
    if (!batch.next().equals(last)) {
      // Edits with nothing in this range (or no data at all) still move the split, so its
      // checkpointed position and history pin move forward too.
      out.add(s.splitId(), new Fetched(null, batch.next()));
    }
    a.position = batch.next();
    updateLag(a, batch);
    return !batch.changes().isEmpty();
  }

  /**
   * A batch shorter than asked for reached the newest edit; a full one leaves the reader behind,
   * and only then does asking for the newest version (one manifest load) tell how far: an idle or
   * caught-up source costs no request for its lag.
   */
  private void updateLag(Active a, TailBatch batch) {
    long latest = batch.next().version();
    if (batch.changes().size() >= BATCH) {
      latest = a.tail.latest().version();
    }
    long position = Long.MAX_VALUE;
    for (Active s : splits.values()) {
      if (!s.scanning && s.position != null) {
        position = Math.min(position, s.position.version());
      }
    }
    gauges.tail(latest, position == Long.MAX_VALUE ? a.position.version() : position);
    List<Change> changes = batch.changes();
    if (!changes.isEmpty()) {
      gauges.lastCommitTime(changes.get(changes.size() - 1).commitTimeMillis());
    }
  }

  /**
   * The connector writes whole rows, never append operands: an operand is another program's write,
   * and emitting it as the row would be wrong (it is only the tail of the key's value).
   */
  private IsleException appendInTable(Active a, Change c) {
    return IsleException.invalidArgument(
        "table "
            + config.location().uri()
            + " holds an append operand (Writer.append) at key 0x"
            + java.util.HexFormat.of().formatHex(c.key(), 0, Math.min(c.key().length, 64))
            + (c.key().length > 64 ? "..." : "")
            + " in version "
            + c.version()
            + ": the connector's tables hold whole rows only, so split "
            + a.split.splitId()
            + " cannot emit it as a row; write this table through the connector's sink or"
            + " Writer.put");
  }

  private IsleException rolledBack(Active a, RolledBackException e) {
    return new IsleException(
        IsleException.Kind.INVALID_ARGUMENT,
        "IsleSource: "
            + config.location().uri()
            + " was rolled back to version "
            + e.restoredVersion()
            + " (by the edit at version "
            + e.version()
            + ") while split "
            + a.split.splitId()
            + " tailed it at "
            + a.position
            + ": changes this source already emitted no longer exist. Start the job again"
            + " without its state (a new consumer reads the table in full).",
        e);
  }

  private IsleException notRetained(long version, IsleException e) {
    if (e.kind() != IsleException.Kind.INVALID_ARGUMENT) {
      return e;
    }
    return new IsleException(
        IsleException.Kind.INVALID_ARGUMENT,
        "IsleSource cannot read version "
            + version
            + " of "
            + config.location().uri()
            + ": it is not retained (its pin expired or was removed?): "
            + e.getMessage(),
        e);
  }

  private void awaitPollInterval() {
    long deadline = System.nanoTime() + config.pollInterval().toNanos();
    synchronized (wakeLock) {
      try {
        long left;
        while (!woken && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      woken = false;
    }
  }

  @Override
  public void handleSplitsChanges(SplitsChange<IsleSplit> change) {
    if (change instanceof SplitsAddition<IsleSplit>) {
      for (IsleSplit s : change.splits()) {
        splits.put(s.splitId(), new Active(s));
      }
    }
  }

  @Override
  public void wakeUp() {
    synchronized (wakeLock) {
      woken = true;
      wakeLock.notifyAll();
    }
  }

  @Override
  public void close() {
    try {
      for (Iterator<Active> it = splits.values().iterator(); it.hasNext(); ) {
        it.next().close();
        it.remove();
      }
    } finally {
      if (ownsViews) {
        views.close();
      }
    }
  }

  /** The smallest key after {@code key}. */
  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  /** A split being read, with the fetcher thread's own cursor (ahead of what was emitted). */
  private static final class Active {
    final IsleSplit split;
    boolean scanning;
    KvIterator rows;
    java.util.ArrayDeque<KeyRange> pending;
    TailingReader tail;
    TailPosition position;

    Active(IsleSplit split) {
      this.split = split;
      this.scanning = split.scanning();
      this.position = split.tail();
    }

    void closeScan() {
      if (rows != null) {
        rows.close();
        rows = null;
      }
    }

    void close() {
      closeScan();
      if (tail != null) {
        tail.close();
        tail = null;
      }
    }
  }
}
