package io.isledb.db;

import io.isledb.util.Internal;
import io.isledb.util.Threads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resources of a database opened without shared ones: every role creates its own threads and
 * caches (the behaviour before {@link io.isledb.IsleResources}). One per database context, so the
 * commit signal connects the roles opened from one {@code IsleDB}.
 */
@Internal
public final class PrivateResources implements Resources {
  private final AtomicLong cacheIds = new AtomicLong();
  private final CommitSignal signal = new CommitSignal();
  private final FlushPriority priority = new FlushPriority();

  @Override
  public ExecutorService flushExecutor(String name, int privateThreads) {
    return Executors.newFixedThreadPool(privateThreads, Threads.daemon(name));
  }

  @Override
  public ScheduledExecutorService compactionScheduler(String name, int privateThreads) {
    return Executors.newScheduledThreadPool(privateThreads, Threads.daemon(name));
  }

  @Override
  public ScheduledExecutorService maintenanceScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(Threads.daemon(name));
  }

  @Override
  public ExecutorService downloadExecutor(String name) {
    return Executors.newFixedThreadPool(2, Threads.daemon(name));
  }

  @Override
  public CachedBlocks blockCache(long privateBytes, boolean privateOffHeap) {
    return privateBytes > 0 ? CachedBlocks.create(privateBytes, privateOffHeap, true) : null;
  }

  @Override
  public long newCacheId() {
    return cacheIds.incrementAndGet();
  }

  @Override
  public MemtableBudget memtableBudget() {
    return null;
  }

  @Override
  public CommitSignal commitSignal(io.isledb.ObjectStore store) {
    return signal;
  }

  @Override
  public FlushPriority flushPriority() {
    return priority;
  }
}
