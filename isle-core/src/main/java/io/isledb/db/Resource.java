package io.isledb.db;

import io.isledb.util.Internal;

/** Something opened from an {@link io.isledb.IsleDB} that it closes with itself. */
@Internal
public interface Resource extends AutoCloseable {
  /** Whether it was closed already (so the database can forget it). */
  boolean isClosed();

  @Override
  void close();
}
