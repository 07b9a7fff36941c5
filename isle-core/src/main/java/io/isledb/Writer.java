package io.isledb;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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

  /**
   * Buffers an append operand: the value of {@code key} becomes its current value (none after a
   * deletion or expiry counts as empty) followed by {@code operand}, without reading it. One fixed
   * semantics, byte concatenation: the caller frames its elements. Every read (get, getAll, scans,
   * views, the writer's own view) returns the concatenated value; compaction folds operands into
   * one value. Operands are stored inline whatever their size (never as blobs, and they never
   * expire); a value grown by appends past the blob threshold stays correct (docs/FORMAT.md,
   * "Append operands"). The tailing reader emits each operand as a {@link Change.Type#APPEND}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for a null key or operand, a key over {@link
   *     WriterOptions#MAX_KEY_SIZE} or an operand over {@link WriterOptions#MAX_INLINE_VALUE_SIZE}
   */
  void append(byte[] key, byte[] operand);

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

  /**
   * Cuts the writes made so far off from later ones, for a checkpoint: freezes the active memtable
   * at once and returns the future of the exact version that holds every write made before this
   * call and none made after it. Writes go on meanwhile (into the next memtable, which is never
   * part of that version); the freeze happens under the same lock as {@code put} and {@code
   * delete}, so a write that returned before this call is inside the cut and a write that starts
   * after it returned is outside. Versions complete in call order: the flush of one cut never
   * commits before the flush of an earlier one.
   *
   * <p>With nothing written since the previous cut, the future is that cut's (still in flight), or
   * completes at once with {@link #lastCommittedVersion()}, the writer's head. The version may also
   * hold edits of other roles committed in between (a compaction): they change the layout, never
   * the data.
   *
   * <p>Never throws: when the flush fails (fenced by a newer writer, storage failing after {@code
   * flushRetries}), the future completes exceptionally with the {@link IsleException} ({@link
   * FencedException} for a fence), the writer fails as for any failed background flush, and every
   * later cut and call fails with the same exception. A closed writer's future fails with kind
   * CLOSED.
   *
   * @return the future of the version; {@code join()} wraps the failure in a {@code
   *     CompletionException}, {@code get()} in an {@code ExecutionException}
   */
  CompletableFuture<Long> flushAsync();

  /**
   * Pins the writer's head version ({@link #lastCommittedVersion()}) under {@code name}, as {@link
   * IsleDB#pin(String, long, PinOptions)} would, but from the state the writer already holds: at
   * most one PUT (the pin), no manifest read and no GET of an earlier pin. It replaces a pin of the
   * same name without reading it, so use a fresh name per version (a checkpoint id).
   *
   * <p>Accepted by the head rule of docs/PROTOCOL.md ("When a pin is accepted"): the writer's own
   * create of the version's log slot proves the version was the head when that create was sent, and
   * the pin must be written within the GC grace period of that send (on this writer's clock). A
   * head committed longer ago than that is pinned through {@link IsleDB#pin(String, long,
   * PinOptions)}'s general path (a manifest load, a GET and up to three STATs).
   *
   * @return the pinned version
   * @throws IsleException of kind INVALID_ARGUMENT for a bad name or options, or if the pin cannot
   *     be accepted (the pin is then removed); UNAVAILABLE if the PUT fails
   */
  long pinHead(String name, PinOptions options);

  /** The version of the last commit this writer made (0 if none). */
  long lastCommittedVersion();

  /**
   * Block cache and disk cache hits and misses of this writer's reads ({@link #view()}) since it
   * opened: its own lookups, also when the caches are shared through {@link IsleResources}.
   */
  CacheStats cacheStats();

  /** Flushes, then releases the writer. */
  @Override
  void close();
}
