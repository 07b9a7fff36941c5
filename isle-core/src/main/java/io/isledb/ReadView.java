package io.isledb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads of one database version. */
public interface ReadView extends AutoCloseable {
  /** The newest visible value of {@code key}, or empty if absent, deleted or expired. */
  Optional<byte[]> get(byte[] key);

  /**
   * The newest visible value of each key, in the order of {@code keys}: element {@code i} answers
   * {@code keys.get(i)} exactly as {@link #get} would (empty if absent, deleted or expired).
   * Duplicate keys are allowed and get the same answer (possibly the same array). The engine's
   * views sort the keys and read each table's blocks in one pass, so keys that fall into one data
   * block cost that block once per call (see docs/isle-core.md, "Multi-get"); this default calls
   * {@link #get} per key.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code keys} or one of its keys is null
   */
  default List<Optional<byte[]>> getAll(List<byte[]> keys) {
    if (keys == null) {
      throw IsleException.invalidArgument("getAll needs a non-null list of keys");
    }
    List<Optional<byte[]>> out = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      if (key == null) {
        throw IsleException.invalidArgument("getAll: key " + out.size() + " is null");
      }
      out.add(get(key));
    }
    return out;
  }

  /**
   * At most {@code maxSplits} contiguous, disjoint key ranges of {@link #version()} that together
   * cover the whole key space, of about equal size: scanning each with {@link #scan} on a view of
   * the same version returns every visible key exactly once. The engine's views split from table
   * metadata alone (no storage request; see docs/isle-core.md, "Scan splits" for the size
   * contract). This default, for views without table metadata, returns one split covering
   * everything with zero estimates.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code maxSplits < 1}
   */
  default List<ScanSplit> splits(int maxSplits) {
    if (maxSplits < 1) {
      throw IsleException.invalidArgument("maxSplits must be at least 1, got " + maxSplits);
    }
    return List.of(new ScanSplit(version(), 0, null, null, 0, 0));
  }

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

  /**
   * The names, relative to the database's prefix, of the table objects the version served
   * references ({@code sstable/<3 hex>/<id>.sst}, docs/FORMAT.md), sorted: what keeping this
   * version (a pin, the head) keeps in storage, besides the blobs those tables reference. No
   * request: they are part of the version's manifest state. A writer's view answers for its last
   * committed version (its unflushed writes have no objects yet). This default, for views without
   * table metadata, fails with INVALID_ARGUMENT.
   */
  default List<String> tableObjects() {
    throw IsleException.invalidArgument(
        "this view (" + getClass().getName() + ") has no table metadata");
  }

  /** The version served (the manifest log position it reflects). */
  long version();

  @Override
  void close();
}
