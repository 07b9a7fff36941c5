package io.isledb.db;

/** Something opened from an {@link io.isledb.IsleDB} that it closes with itself. */
public interface Resource extends AutoCloseable {
  /** Whether it was closed already (so the database can forget it). */
  boolean isClosed();

  @Override
  void close();
}
