package io.isledb.db;

import io.isledb.util.Internal;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where a database's roles get their threads, caches and memtable budget: {@link PrivateResources}
 * (a database opened without {@link io.isledb.IsleResources}: every role creates its own, as
 * before) or {@link SharedResourcesImpl} (fixed pools and caches shared by many databases). An
 * executor handed out is the role's own: shutting it down stops only the role's tasks, never a
 * shared pool.
 */
@Internal
public interface Resources {
  /** Runs a writer's memtable flushes; {@code privateThreads} when not shared. */
  ExecutorService flushExecutor(String name, int privateThreads);

  /** Runs a compactor's loop and compactions; {@code privateThreads} when not shared. */
  ScheduledExecutorService compactionScheduler(String name, int privateThreads);

  /** Periodic work of one role (flush timer, reader refresh, GC): one thread when not shared. */
  ScheduledExecutorService maintenanceScheduler(String name);

  /**
   * Renews a running compaction's lease: {@code roleOwn} when not shared; the maintenance pool when
   * shared, so renewals never queue behind other databases' compactions on the compaction pool.
   */
  default ScheduledExecutorService leaseScheduler(String name, ScheduledExecutorService roleOwn) {
    return roleOwn;
  }

  /** Downloads of one reader's tables into its disk cache: two threads when not shared. */
  ExecutorService downloadExecutor(String name);

  /**
   * The block cache a reader uses: a new one of {@code privateBytes} (null for 0), off-heap if
   * {@code privateOffHeap}, when not shared, else the shared one (null if its budget is 0).
   */
  CachedBlocks blockCache(long privateBytes, boolean privateOffHeap);

  /**
   * A cache id unique among every table opened through these resources, so a shared block cache
   * never mixes up two databases' tables (table ids are unique per database only).
   */
  long newCacheId();

  /** The memtable budget across writers, or null (no budget beyond each writer's own limits). */
  MemtableBudget memtableBudget();

  /**
   * Commit notifications between the roles of the database opened on {@code store} in this JVM (by
   * store instance: two stores of one location are told apart, which only costs polling).
   */
  CommitSignal commitSignal(io.isledb.ObjectStore store);

  /**
   * The flush priority of every database using these resources: requested flushes pause their merge
   * compactions ({@link FlushPriority}).
   */
  FlushPriority flushPriority();

  /**
   * The disk cache the tables of the database on {@code store} share with every other database of
   * these resources, or null when each reader and writer keeps its own ({@link PrivateResources}).
   */
  default io.isledb.db.read.SharedDisk sharedDisk(io.isledb.ObjectStore store) {
    return null;
  }
}
