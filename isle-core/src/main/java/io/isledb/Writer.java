package io.isledb;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The single writer of a database. Writes are buffered in a memtable and become durable and visible
 * to readers when a flush commits them (by size, by interval, or by {@link #flush()}). Opening a
 * writer fences any earlier writer of the same prefix, in any process.
 *
 * <p>Thread-safe. Once a background flush failed or the writer was fenced, every call throws that
 * failure.
 */
public interface Writer extends AutoCloseable {
  /**
   * Buffers {@code key -> value}. Blocks (never fails) while too many memtables wait to upload.
   *
   * <p>Limits: keys up to {@link WriterOptions#MAX_KEY_SIZE}, values up to {@link
   * WriterOptions#MAX_VALUE_SIZE}; values of at least {@code blobThreshold} bytes are stored as
   * blobs, smaller ones inline (the threshold is at most {@link
   * WriterOptions#MAX_INLINE_VALUE_SIZE}), so every value accepted here can be flushed.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for a null key or value or one over its limit,
   *     naming the key (hex, truncated), the size and the limit; the write is not buffered and
   *     every earlier write stays buffered
   */
  void put(byte[] key, byte[] value);

  /** Like {@link #put(byte[], byte[])}, but the entry expires {@code ttl} after now. */
  void put(byte[] key, byte[] value, Duration ttl);

  /** Buffers a deletion of {@code key}. */
  void delete(byte[] key);

  /** Returns when everything buffered before the call is durable and visible to new readers. */
  void flush();

  /**
   * Sets table properties (docs/isle-core.md, "Table properties"): flushes everything accepted
   * before the call, then commits {@code properties} in one edit, merged into the database's
   * (values of keys already set are replaced, other keys stay; properties are never removed).
   * Writes wait meanwhile, so the returned version holds every write accepted before the call, the
   * properties, and nothing written after. An empty map only flushes. Limits as for {@link
   * IsleDB#commit(List, String, long, Map)}.
   *
   * @return the version that holds the properties
   * @throws IsleException of kind INVALID_ARGUMENT for a key or value over its limit, or if the
   *     database's properties would exceed their total limit (nothing is committed)
   */
  long commitProperties(Map<String, String> properties);

  /**
   * A read-your-writes view: {@code get} and {@code scan} over this writer's unflushed writes (the
   * active memtable and the memtables waiting for upload) and its head version, with the same
   * results a reader of the flushed data would get (deletions, expired entries and blob values
   * alike). Each call reflects every write whose call returned before it started; a scan's iterator
   * is fixed when {@code scan} is called. A point get costs a hash lookup per memtable, then the
   * head's tables through their bloom filters and the view's block and disk caches (no storage
   * request for cached data). {@link ReadView#version()} is {@link #lastCommittedVersion()}.
   * Closing the view releases nothing shared; the writer's close ends every view.
   */
  ReadView view();

  /** The version of the last commit this writer made (0 if none). */
  long lastCommittedVersion();

  /** Flushes, then releases the writer. */
  @Override
  void close();
}
