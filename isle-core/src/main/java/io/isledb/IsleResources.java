package io.isledb;

import java.util.Map;

/**
 * Resources shared by many databases in one JVM (for example the tens of keyed state backends of a
 * Flink task manager): fixed-size thread pools for flushes, compactions, maintenance and downloads,
 * one block cache, one disk cache of whole tables, one memtable budget across every writer, and one
 * Hadoop FileSystem per storage URI and configuration. Pass it to {@link IsleDB#open(ObjectStore,
 * DBOptions, IsleResources)}; a database opened without one gets private threads and caches, as
 * before. Thread-safe.
 *
 * <p>Close it after every database opened with it: closing stops the shared threads, closes the
 * FileSystems still open and deletes the disk cache's private temporary directory.
 */
public interface IsleResources extends AutoCloseable {
  /** New shared resources of the given sizes. */
  static IsleResources create(IsleResourcesOptions options) {
    return new io.isledb.db.SharedResourcesImpl(options);
  }

  /**
   * Like {@link IsleDB#openStore(String, String, Map)}, but the store shares its FileSystem with
   * every other store this object opened for the same scheme, authority and {@code hadoopConf}. The
   * FileSystem is closed when the last of those stores is closed.
   */
  ObjectStore openStore(String uri, String prefix, Map<String, String> hadoopConf);

  /**
   * A share of these resources for a group of databases that brings its own memory, for example the
   * managed memory of one Flink slot: the same thread pools, disk cache and FileSystems, but its
   * own memtable budget of {@code memtableBudgetBytes} across the writers of the databases opened
   * with the share (a put that finds it used up makes the share's largest active memtable flush,
   * then waits) and its own block cache of {@code blockCacheBytes} (0: no block cache). {@link
   * #memtableBytes()} of these resources includes every open share's.
   *
   * <p>Close the share after its databases: closing drops its block cache and makes opening more
   * databases with it fail; these resources stay open. A share of a share is a share of these
   * resources.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code memtableBudgetBytes} is not positive
   *     or {@code blockCacheBytes} is negative, CLOSED if these resources are closed
   */
  IsleResources share(long memtableBudgetBytes, long blockCacheBytes);

  /**
   * The sizes these resources were created with (a share: with its own memtable and block cache).
   */
  IsleResourcesOptions options();

  /** Bytes held by the shared block cache now (at most {@code blockCacheBytes}). */
  long blockCacheBytes();

  /** Bytes of the files in the shared disk cache now (at most {@code diskCacheBytes}). */
  long diskCacheBytes();

  /** Memtable bytes of every writer now (active and frozen memtables not yet committed). */
  long memtableBytes();

  /**
   * Hits and misses of the shared block cache and disk cache since these resources were created,
   * summed over every database using them.
   */
  CacheStats cacheStats();

  /** FileSystem instances open now (shared by the stores of {@link #openStore}). */
  int openFileSystems();

  @Override
  void close();
}
