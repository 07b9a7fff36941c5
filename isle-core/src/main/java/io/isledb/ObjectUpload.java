package io.isledb;

/**
 * A streaming upload of one object. Bytes are written in order; {@link #complete()} publishes the
 * object whole; {@link #close()} without a prior {@code complete()} abandons it and leaves nothing
 * visible (at worst an unreferenced object that garbage collection reclaims).
 */
public interface ObjectUpload extends AutoCloseable {
  /** Appends bytes to the object. */
  void write(byte[] data, int offset, int length);

  /** Appends all of {@code data}. */
  default void write(byte[] data) {
    write(data, 0, data.length);
  }

  /** Bytes written so far. */
  long position();

  /**
   * Publishes the object; returns its size. After this, {@link #close()} is a no-op. If it throws,
   * the object may or may not have been published (as with any write whose response was lost); the
   * upload cannot be completed again.
   */
  long complete();

  /** Abandons the upload unless it was completed. Never throws for an abandoned upload. */
  @Override
  void close();
}
