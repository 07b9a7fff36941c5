package io.isledb.flink.connector.table;

import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lookup readers of one JVM (a task manager): one {@link Reader} per table location and refresh
 * interval, shared by every lookup function (sync or async, any subtask, any job) of that table and
 * closed when the last one closes. The reader moves to the newest version in the background every
 * {@code lookup.refresh-interval} (one GET per interval when idle).
 *
 * <p>Its tables are opened by their metadata section and read block by block, never downloaded
 * whole (small-table downloads and hot-table downloads are off): a lookup join must not copy the
 * dimension table into every task manager. A cold lookup costs one ranged GET to open each table
 * its key may be in and one per cold data block; a key its bloom filters reject costs none.
 */
final class SharedLookupReaders {
  private static final Object LOCK = new Object();
  private static final Map<Key, Entry> READERS = new HashMap<>();

  private SharedLookupReaders() {}

  private record Key(TableLocation location, Duration refreshInterval) {}

  /** A use of a shared lookup reader; {@link #close()} releases it (once). */
  static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private boolean released;

    private Lease(Key key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    /** The shared reader: thread-safe; do not close it, close the lease. */
    Reader reader() {
      return entry.reader;
    }

    /**
     * The task manager's bounded pool of asynchronous lookups on this table, created by the first
     * asynchronous function with {@code threads} daemon threads and shared by the later ones.
     */
    ExecutorService executor(int threads) {
      synchronized (LOCK) {
        if (entry.executor == null) {
          String name = "isle-lookup " + key.location.uri();
          AtomicInteger n = new AtomicInteger();
          entry.executor =
              Executors.newFixedThreadPool(
                  threads,
                  r -> {
                    Thread t = new Thread(r, name + " #" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
        }
        return entry.executor;
      }
    }

    @Override
    public void close() {
      synchronized (LOCK) {
        if (released) {
          return;
        }
        released = true;
        if (--entry.users == 0) {
          READERS.remove(key);
          if (entry.executor != null) {
            entry.executor.shutdownNow(); // the last user is gone: no lookup is pending
          }
          try {
            entry.reader.close();
          } finally {
            entry.table.close();
          }
        }
      }
    }
  }

  /** Opens (or shares) the lookup reader of {@code location}. */
  static Lease acquire(TableLocation location, Duration refreshInterval) {
    Key key = new Key(location, refreshInterval);
    synchronized (LOCK) {
      Entry e = READERS.get(key);
      if (e == null) {
        SharedTables.Lease table = SharedTables.acquire(location);
        try {
          Reader reader = table.db().openReader(readerOptions(refreshInterval));
          e = new Entry(table, reader);
        } catch (RuntimeException ex) {
          table.close();
          throw ex;
        }
        READERS.put(key, e);
      }
      e.users++;
      return new Lease(key, e);
    }
  }

  /** Readers open now (tests: one per table and interval, however many subtasks look up). */
  static int openReaders() {
    synchronized (LOCK) {
      return READERS.size();
    }
  }

  static ReaderOptions readerOptions(Duration refreshInterval) {
    return ReaderOptions.defaults()
        .withSmallTableBytes(0)
        .withHotTableReads(Integer.MAX_VALUE)
        .withDiskCacheBytes(0)
        .withOffHeapBlockCache(false)
        .withAutoRefreshInterval(refreshInterval);
  }

  private static final class Entry {
    final SharedTables.Lease table;
    final Reader reader;
    ExecutorService executor;
    int users;

    Entry(SharedTables.Lease table, Reader reader) {
      this.table = table;
      this.reader = reader;
    }
  }
}
