package io.isledb;

import java.util.List;
import java.util.Map;
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

  /**
   * The table properties of the version served (set by {@link Writer#commitProperties} and {@link
   * IsleDB#commit(List, String, long, Map)}), sorted by key; empty if none were ever set. No
   * request: they are part of the version's manifest state.
   */
  Map<String, String> properties();

  /**
   * The mark of {@code commitUser} in the version served: the highest identifier it committed and
   * the version that did, or empty. No request (see {@link IsleDB#lastCommitted} for the newest).
   */
  Optional<CommitMark> lastCommitted(String commitUser);

  /** The version served (the manifest log position it reflects). */
  long version();

  @Override
  void close();
}
