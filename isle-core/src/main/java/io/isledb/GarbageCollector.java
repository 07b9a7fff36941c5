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
  void start();

  /** Runs one pass now. */
  GcResult runOnce();

  @Override
  void close();
}
