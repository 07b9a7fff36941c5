package io.isledb;

/**
 * Streams every committed put and delete in commit order: manifest order, then sequence order
 * inside one commit; each exactly once from a given position. Pull with {@link #poll} or push with
 * {@link #tail}. Compactions, retention and fences produce no changes.
 *
 * <p>The tail reads log edits and the tables they added; it can only reach back as far as GC
 * retains them: the log retention, or a {@link IsleDB#pinHistory history pin} at the consumer's
 * position's version minus one, moved forward as it progresses. Polling a position GC has collected
 * fails with {@link IsleException} of kind INVALID_ARGUMENT ("no longer retained"), also when a
 * consumer paused until its next edit was collected: it never reports "nothing new" for a position
 * the log has moved past.
 *
 * <p>A reader opened with a key range ({@link TailingReaderOptions#withKeyRange}) emits exactly the
 * changes of the unrestricted tail whose keys are in the range, with the same positions, and reads
 * only what the range needs (see docs/isle-core.md, "Tailing reader"). Positions do not depend on
 * the range: readers with ranges that partition the key space each tail their share, and a position
 * saved by one resumes any other.
 */
public interface TailingReader extends AutoCloseable {
  /** The position of the oldest retained log edit. */
  TailPosition earliest();

  /** The position right after the newest committed edit: only future changes. */
  TailPosition latest();

  /**
   * Up to {@code maxChanges} changes after {@code from}. An idle poll costs one read request.
   *
   * <p>A rollback ({@link IsleDB#openWriterRestoredTo}) is never passed over: a poll returns the
   * changes before it and stops there, and a poll from it throws {@link RolledBackException} (every
   * time). The consumer must start over from a full read of {@link RolledBackException#version()}
   * or a later version.
   *
   * @throws RolledBackException if the next change would be after a rollback
   */
  TailBatch poll(TailPosition from, int maxChanges);

  /** Receives changes from {@link #tail}. */
  @FunctionalInterface
  interface Handler {
    /** Handles one change; throwing stops the tail and is rethrown by it. */
    void handle(Change change) throws Exception;
  }

  /**
   * Calls {@code handler} for every change after {@code from}, polling at the configured interval
   * when idle, until {@link #close()} is called (then returns normally) or the handler throws.
   */
  void tail(TailPosition from, Handler handler) throws Exception;

  @Override
  void close();
}
