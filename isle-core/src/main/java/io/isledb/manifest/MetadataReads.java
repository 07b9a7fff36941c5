package io.isledb.manifest;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import io.isledb.util.Threads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Small metadata reads sent side by side while a database opens: the two manifest listings, the
 * snapshot and the log tail after it ({@link LogTail}), the database settings and a restore's pin.
 * On an object store each is a round trip of its own, and one after the other they are most of the
 * time a restore takes; none of them depends on another's answer.
 */
@Internal
public final class MetadataReads {
  /** Threads at most; a read beyond them runs on the thread that asked for it. */
  static final int MAX_THREADS = 16;

  // Engine-wide and idle without work: no threads are kept (core size 0) and a saturated pool
  // makes the caller read (no queue, so no deadlock and no unbounded backlog).
  private static final ExecutorService POOL =
      new ThreadPoolExecutor(
          0,
          MAX_THREADS,
          10,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          Threads.daemon("isledb-manifest-read"),
          new ThreadPoolExecutor.CallerRunsPolicy());

  private MetadataReads() {}

  /** Starts {@code read} on the pool (or runs it here when the pool is busy). */
  public static <T> CompletableFuture<T> start(Supplier<T> read) {
    return CompletableFuture.supplyAsync(read, POOL);
  }

  /**
   * The result of {@code f}; the read's own exception (UNAVAILABLE, CORRUPTION,
   * INVALID_ARGUMENT...) is thrown unchanged.
   */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw IsleException.internal("a manifest read failed", e.getCause());
    }
  }
}
