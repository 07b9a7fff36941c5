package io.isledb.db;

import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One role's view of a shared pool: its tasks run on the pool's threads, and shutting the view down
 * cancels only this role's tasks (a closing database must not stop the other databases' work).
 */
final class RoleExecutor extends AbstractExecutorService implements ScheduledExecutorService {
  private final ScheduledExecutorService pool;
  private final String name;
  private final Set<Future<?>> tasks = ConcurrentHashMap.newKeySet();
  private final AtomicLong runs;
  private volatile boolean shutdown;
  // Held while a task is checked, handed to the pool and tracked, and while shutting down: a task
  // submitted concurrently with shutdown is either refused or tracked (and so awaited), never
  // handed to the pool after awaitTermination looked at the tracked tasks.
  private final Object submitLock = new Object();
  // Runs executing now: a future cancelled while its run executes is done at once, but its body
  // goes on, and a closing role must not return before it ends (it may be writing objects).
  private final ReentrantLock activeLock = new ReentrantLock();
  private final Condition idle = activeLock.newCondition();
  private int active;
  private final ThreadLocal<Boolean> inRun = new ThreadLocal<>(); // a run closing its own role

  RoleExecutor(ScheduledExecutorService pool, String name, AtomicLong runs) {
    this.pool = pool;
    this.name = name;
    this.runs = runs;
  }

  private Runnable counted(Runnable r) {
    return () -> {
      enter();
      try {
        runs.incrementAndGet();
        r.run();
      } finally {
        exit();
      }
    };
  }

  private void enter() {
    inRun.set(Boolean.TRUE);
    activeLock.lock();
    try {
      active++;
    } finally {
      activeLock.unlock();
    }
  }

  private void exit() {
    inRun.remove();
    activeLock.lock();
    try {
      if (--active <= 1) {
        idle.signalAll();
      }
    } finally {
      activeLock.unlock();
    }
  }

  /** 1 when the calling thread is a run of this role itself (it cannot wait for itself). */
  private int self() {
    return Boolean.TRUE.equals(inRun.get()) ? 1 : 0;
  }

  private boolean idle() {
    activeLock.lock();
    try {
      return active <= self();
    } finally {
      activeLock.unlock();
    }
  }

  private <F extends Future<?>> F track(F f) {
    tasks.removeIf(Future::isDone);
    tasks.add(f);
    if (shutdown) { // raced with shutdownNow: do not leave the task behind
      f.cancel(true);
    }
    return f;
  }

  private void checkRunning() {
    if (shutdown) {
      throw new RejectedExecutionException(name + " is shut down");
    }
  }

  @Override
  public void execute(Runnable command) {
    synchronized (submitLock) {
      checkRunning();
      track(pool.submit(counted(command)));
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    synchronized (submitLock) {
      checkRunning();
      return track(pool.schedule(counted(command), delay, unit));
    }
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Callable<V> counted =
        () -> {
          enter();
          try {
            runs.incrementAndGet();
            return callable.call();
          } finally {
            exit();
          }
        };
    synchronized (submitLock) {
      checkRunning();
      return track(pool.schedule(counted, delay, unit));
    }
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    synchronized (submitLock) {
      checkRunning();
      return track(pool.scheduleAtFixedRate(counted(command), initialDelay, period, unit));
    }
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    synchronized (submitLock) {
      checkRunning();
      return track(pool.scheduleWithFixedDelay(counted(command), initialDelay, delay, unit));
    }
  }

  @Override
  public void shutdown() {
    synchronized (submitLock) {
      shutdown = true;
    }
    for (Future<?> f : tasks) {
      if (f instanceof ScheduledFuture<?> s && s.getDelay(TimeUnit.NANOSECONDS) > 0) {
        f.cancel(false);
      }
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    synchronized (submitLock) {
      shutdown = true;
    }
    for (Future<?> f : tasks) {
      f.cancel(true);
    }
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && tasks.stream().allMatch(Future::isDone) && idle();
  }

  /**
   * Waits up to {@code timeout} for each of the role's tasks in turn (no wall clock is read here:
   * engine code takes time only from the injected clock).
   */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    for (Future<?> f : tasks) {
      try {
        f.get(timeout, unit);
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.CancellationException
          | java.util.concurrent.TimeoutException e) {
        // done one way or another (or timed out: checked below)
      }
    }
    // A cancelled future is done while its run may still execute: wait for the runs themselves.
    long nanos = unit.toNanos(timeout);
    activeLock.lock();
    try {
      while (active > self()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = idle.awaitNanos(nanos);
      }
    } finally {
      activeLock.unlock();
    }
    return isTerminated();
  }
}
