package io.isledb;

import java.time.Duration;
import java.util.List;

/**
 * Builds and uploads tables outside the writer, for example in many Flink sink subtasks; one
 * committer then publishes them atomically with {@link IsleDB#commit}. Within one writer a later
 * write of a key replaces an earlier one. Not thread-safe; use one per producer.
 */
public interface SstWriter extends AutoCloseable {
  /**
   * Adds {@code key -> value}, with the limits of {@link Writer#put(byte[], byte[])} ({@link
   * WriterOptions#MAX_KEY_SIZE}, {@link WriterOptions#MAX_VALUE_SIZE}); a value of at least {@code
   * blobThreshold} bytes is uploaded as a blob right away.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for a null or oversized key or value, naming the
   *     key, the size and the limit; nothing written before is affected
   */
  void put(byte[] key, byte[] value);

  void put(byte[] key, byte[] value, Duration ttl);

  void delete(byte[] key);

  /**
   * Uploads everything written and returns the handles to commit, in order (later handles shadow
   * earlier ones for keys they share). The uploads stay safe from GC for the lease time (the larger
   * of {@code leaseTtl} and the GC grace period) from this call; commit them with a token ({@link
   * IsleDB#commit}).
   */
  List<SstHandle> finish();

  /** Abandons the writer if it was not finished (its uploads are garbage collected). */
  @Override
  void close();
}
