package io.isledb;

/**
 * Deletes objects nothing needs any more: tables and blobs no retained version references, uploads
 * never committed (crashed or fenced writers, abandoned compactions), old log edits and snapshots.
 * An object is deleted only after it was seen unreferenced for a whole grace period, so readers of
 * slightly older versions and uploads about to be committed are safe (docs/PROTOCOL.md, "Garbage
 * collection"). Role {@code gc}, fenced. Thread-safe.
 */
public interface GarbageCollector extends AutoCloseable {
  /** Runs passes in the background until closed. */
  default void start() {
    startAfter(java.time.Duration.ZERO);
  }

  /**
   * Like {@link #start()}, but the first pass comes {@code delay} later (then one every interval):
   * a database just opened (a restore) serves its first reads without a GC pass listing and reading
   * its store beside them. {@link #requestPass()} is not delayed. A zero delay is {@link #start()}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code delay} is negative
   */
  void startAfter(java.time.Duration delay);

  /** Runs one pass now. */
  GcResult runOnce();

  /**
   * Asks for one pass soon, on the collector's executor (the shared compaction pool of {@link
   * IsleResources} when the database was opened with it), never on the calling thread: for a pass
   * after an event (a Flink checkpoint) besides the periodic ones of {@link #start()}. Requests
   * made while one is still waiting to run are merged into it. The future completes with the pass's
   * result, or exceptionally when the pass fails or the collector closes before it runs.
   *
   * @throws IsleException of kind CLOSED if the collector is closed
   */
  java.util.concurrent.CompletableFuture<GcResult> requestPass();

  @Override
  void close();
}
