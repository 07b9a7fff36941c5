package io.isledb.flink.connector.source.reader;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.util.HashMap;
import java.util.Map;

/**
 * The table of one source reader task: its lease on the task manager's shared database, one table
 * reader and the versions it loaded, shared by every split reader Flink creates for the task.
 *
 * <p>Flink closes an idle fetcher (and its split reader) and starts a new one for the next split,
 * so a bounded scan that hands a subtask several splits one after the other would otherwise load
 * the version and open its tables (index and filter) again for each split, and could even close and
 * reopen the database between two splits. Owned by {@link IsleSourceReader}, closed with it.
 * Thread-safe: a replaced fetcher may still be closing while the next one starts.
 */
final class ScanViews implements AutoCloseable {
  private final TableLocation location;
  private final SourceGauges gauges;
  private SharedTables.Lease lease;
  private final Map<Long, ReadView> views = new HashMap<>();
  private Reader reader;
  private boolean closed;

  /** Opens the table on first use (a subtask without a split opens nothing). */
  ScanViews(TableLocation location, SourceGauges gauges) {
    this.location = location;
    this.gauges = gauges;
  }

  /** The shared database of the table (do not close it). */
  synchronized IsleDB db() {
    if (closed) {
      throw IsleException.closed("the source reader of " + location.uri());
    }
    if (lease == null) {
      lease = SharedTables.acquire(location);
      gauges.db(lease.db());
    }
    return lease.db();
  }

  /** A view of {@code version}, loaded once for the task. */
  synchronized ReadView view(long version) {
    ReadView v = views.get(version);
    if (v == null) {
      IsleDB db = db();
      if (reader == null) {
        reader = db.openReader(scanReaderOptions());
        gauges.reader(reader);
      }
      v = reader.openVersion(version);
      views.put(version, v);
    }
    return v;
  }

  /**
   * A one-pass scan streams each table it meets with ranged reads and the engine's read-ahead: no
   * copy to the local disk cache (a scan would write every table there once and never read it
   * again) and no whole-table download of small tables (a key-range scan reads only the blocks its
   * range meets, plus each met table's index and filter).
   */
  static ReaderOptions scanReaderOptions() {
    return ReaderOptions.defaults()
        .withDiskCacheBytes(0)
        .withSmallTableBytes(0)
        .withOffHeapBlockCache(false);
  }

  /** The table reader's statistics, or null before the first view (tests). */
  synchronized ReaderStats readerStats() {
    return reader == null ? null : reader.stats();
  }

  /** Closes the loaded views (an unbounded reader's scans are over; the reader stays). */
  synchronized void releaseViews() {
    views.values().forEach(ReadView::close);
    views.clear();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      releaseViews();
      if (reader != null) {
        reader.close();
      }
    } finally {
      if (lease != null) {
        lease.close();
      }
    }
  }
}
