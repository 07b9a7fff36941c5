package io.isledb.manifest;

import io.isledb.IsleException;
import io.isledb.util.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reads the log edits a listing shows after a snapshot with concurrent requests. An open replays
 * the log tail after the newest snapshot (up to {@code snapshotEvery} edits); read one after the
 * other they cost one round trip each, which on an object store is most of a restore's time. The
 * listing says which slots hold edits, so they can all be asked for at once.
 */
final class LogTail {
  /** Requests in flight per load at most; beyond that the loading thread reads itself. */
  static final int MAX_CONCURRENT = 8;

  // Engine-wide and idle without work: no threads are kept (core size 0) and a saturated pool
  // makes the caller read (no queue, so no deadlock and no unbounded backlog).
  private static final ExecutorService POOL =
      new ThreadPoolExecutor(
          0,
          MAX_CONCURRENT * 2,
          10,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          Threads.daemon("isledb-manifest-read"),
          new ThreadPoolExecutor.CallerRunsPolicy());

  private LogTail() {}

  /**
   * The slots of {@code listed} (ascending) that follow {@code afterSeq} without a gap, at most
   * {@code max} of them.
   */
  static List<Long> consecutiveAfter(List<Long> listed, long afterSeq, long max) {
    List<Long> out = new ArrayList<>();
    long next = afterSeq + 1;
    for (long seq : listed) {
      if (seq < next) {
        continue;
      }
      if (seq != next || out.size() >= max) {
        break;
      }
      out.add(seq);
      next++;
    }
    return out;
  }

  /**
   * The edits of {@code slots} (consecutive, ascending), read concurrently, in slot order and
   * stopping before the first slot found free or empty (collected meanwhile, or an ABFS create not
   * committed yet): the same prefix a one-by-one read would return.
   */
  static List<byte[]> read(ManifestStore store, List<Long> slots) {
    List<byte[]> out = new ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i += MAX_CONCURRENT) {
      List<Long> batch = slots.subList(i, Math.min(slots.size(), i + MAX_CONCURRENT));
      List<CompletableFuture<Optional<byte[]>>> reads = new ArrayList<>(batch.size());
      for (long seq : batch) {
        reads.add(CompletableFuture.supplyAsync(() -> store.readLog(seq), POOL));
      }
      for (CompletableFuture<Optional<byte[]>> r : reads) {
        Optional<byte[]> e = join(r);
        if (e.isEmpty() || e.get().length == 0) {
          return out;
        }
        out.add(e.get());
      }
    }
    return out;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // the store's own exception (UNAVAILABLE, CORRUPTION...), unchanged
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw IsleException.internal("reading the manifest log failed", e.getCause());
    }
  }
}
