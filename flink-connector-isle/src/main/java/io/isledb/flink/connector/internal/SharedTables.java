package io.isledb.flink.connector.internal;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The IsleDB databases of one JVM (a task manager, or the job manager for enumerators and
 * committers), shared by every subtask, source, sink and lookup function that uses the same table:
 * one {@link IsleResources} (thread pools, block cache, disk cache, FileSystems) per JVM and one
 * {@link IsleDB} per table location, both reference-counted and closed when the last user releases
 * them (docs/flink-connector.md, "Resources").
 */
public final class SharedTables {
  private static final Object LOCK = new Object();
  private static IsleResources resources;
  private static int resourceUsers;
  private static final Map<TableLocation, Entry> TABLES = new HashMap<>();

  private SharedTables() {}

  /** A use of a shared table; {@link #close()} releases it (once). */
  public static final class Lease implements AutoCloseable {
    private final TableLocation location;
    private final IsleDB db;
    private final boolean dedicated;
    private boolean released;

    private Lease(TableLocation location, IsleDB db, boolean dedicated) {
      this.location = location;
      this.db = db;
      this.dedicated = dedicated;
    }

    /** The shared database: do not close it, close the lease. */
    public IsleDB db() {
      return db;
    }

    /** Where the table lives. */
    public TableLocation location() {
      return location;
    }

    @Override
    public void close() {
      synchronized (LOCK) {
        if (released) {
          return;
        }
        released = true;
        try {
          if (dedicated) {
            db.close();
          }
        } finally {
          release(location);
        }
      }
    }
  }

  /** Opens (or shares) the database at {@code location}. */
  public static Lease acquire(TableLocation location) {
    synchronized (LOCK) {
      Entry e = TABLES.get(location);
      if (e == null) {
        IsleResources res = acquireResources();
        ObjectStore store = null;
        try {
          store = res.openStore(location.storeUri(), location.prefix(), location.hadoopConf());
          IsleDB db = IsleDB.open(store, dbOptions(location), res);
          e = new Entry(store, db);
        } catch (RuntimeException ex) {
          closeQuietly(store);
          releaseResources();
          throw ex;
        }
        TABLES.put(location, e);
      }
      e.users++;
      return new Lease(location, e.db, false);
    }
  }

  /**
   * Opens a database of its own at {@code location}, over the shared store and resources (no pool
   * or FileSystem of its own), for a role that must not be shared with the JVM's other users of the
   * table: a sink's committer claims the writer role through it, so two jobs committing to one
   * table fence each other whether they run in one JVM or in two.
   */
  public static Lease acquireDedicated(TableLocation location) {
    synchronized (LOCK) {
      Lease shared = acquire(location);
      try {
        IsleDB own = IsleDB.open(TABLES.get(location).store, dbOptions(location), resources);
        return new Lease(location, own, true);
      } catch (RuntimeException ex) {
        shared.close();
        throw ex;
      }
    }
  }

  /** The database options of {@code location}: the defaults, with its manifest store. */
  static DBOptions dbOptions(TableLocation location) {
    return DBOptions.defaults().withManifestStore(location.manifest().config());
  }

  /** Tables open now (for tests and metrics). */
  public static int openTables() {
    synchronized (LOCK) {
      return TABLES.size();
    }
  }

  private static void release(TableLocation location) {
    Entry e = TABLES.get(location);
    if (e == null || --e.users > 0) {
      return;
    }
    TABLES.remove(location);
    try {
      e.db.close();
    } finally {
      closeQuietly(e.store);
      releaseResources();
    }
  }

  private static IsleResources acquireResources() {
    if (resources == null) {
      // Blocks stay on the heap: a task manager's direct memory limit belongs to Netty and the
      // network buffers (framework + task off-heap + network memory).
      resources =
          IsleResources.create(IsleResourcesOptions.defaults().withOffHeapBlockCache(false));
    }
    resourceUsers++;
    return resources;
  }

  private static void releaseResources() {
    if (--resourceUsers == 0) {
      resources.close();
      resources = null;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // releasing: the first failure (if any) was reported by the caller's path already
    }
  }

  private static final class Entry {
    final ObjectStore store;
    final IsleDB db;
    int users;

    Entry(ObjectStore store, IsleDB db) {
      this.store = store;
      this.db = db;
    }
  }
}
