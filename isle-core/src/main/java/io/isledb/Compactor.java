package io.isledb;

import java.util.Optional;

/**
 * Merge compaction: L0 tables into sorted runs, and neighbouring runs of similar size into one, so
 * reads stay fast. Runs beside the writer, in this process or any other; it coordinates with the
 * writer and retention only through the manifest log (role {@code compactor}, fenced). Thread-safe.
 */
public interface Compactor extends AutoCloseable {
  /** Runs compactions in the background until closed. */
  default void start() {
    startAfter(java.time.Duration.ZERO);
  }

  /**
   * Like {@link #start()}, but the first look for work comes {@code delay} later, and commits
   * before it do not trigger one: a database just opened (a restore) serves its first reads without
   * a compaction reading the store beside them. The work pending then is done at the first look. A
   * zero delay is {@link #start()}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code delay} is negative
   */
  void startAfter(java.time.Duration delay);

  /** Runs at most one compaction now; empty if there was nothing to do. */
  Optional<CompactionResult> runOnce();

  /** Stops the background loop (waiting for a running compaction) and releases the role. */
  @Override
  void close();
}
