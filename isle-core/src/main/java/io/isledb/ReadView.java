package io.isledb;

import java.util.Optional;

/** Reads of one database version. */
public interface ReadView extends AutoCloseable {
  /** The newest visible value of {@code key}, or empty if absent, deleted or expired. */
  Optional<byte[]> get(byte[] key);

  /**
   * The visible keys in {@code [fromInclusive, toExclusive)} in ascending order with their newest
   * values; a null bound is unbounded. Close the iterator when done.
   */
  KvIterator scan(byte[] fromInclusive, byte[] toExclusive);

  /** The version served (the manifest log position it reflects). */
  long version();

  @Override
  void close();
}
