package io.isledb;

import java.util.Optional;

/**
 * Retention: drops whole tables by the age of their data (FIFO by age, or by time window). Runs
 * beside the writer and the compactor in any process (role {@code retention}, fenced). Dropped
 * tables' objects are deleted later by GC. Thread-safe.
 */
public interface RetentionCompactor extends AutoCloseable {
  /** Runs retention in the background until closed. */
  void start();

  /** Drops what is due now; empty if nothing was. */
  Optional<RetentionResult> runOnce();

  @Override
  void close();
}
