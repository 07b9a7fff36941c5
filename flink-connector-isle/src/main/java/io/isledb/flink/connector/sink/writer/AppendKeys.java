package io.isledb.flink.connector.sink.writer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;

/**
 * The keys of appended rows: {@code job (8) | subtask (4) | epoch (8) | sequence (8)}, big-endian
 * (28 bytes). {@code job} is a hash of the job id, so two jobs never collide; {@code subtask} is
 * the writer's index, so two writers of a job never collide; {@code epoch} is the checkpoint the
 * writer was restored from (0 on a fresh start) and {@code sequence} counts the writer's appends
 * since.
 *
 * <p>Why this is unique and idempotent: an attempt restored from checkpoint {@code R} only writes
 * rows after {@code R}, and its keys all carry epoch {@code R}. Of two attempts restored from the
 * same {@code R}, only one can get a checkpoint after {@code R} committed (a later failover
 * restores from that checkpoint, with a higher epoch), and when they read the same input in the
 * same order they produce the same keys. Keys of one writer ascend in append order.
 */
@Internal
public final class AppendKeys {
  /** Length of every generated key. */
  public static final int KEY_LENGTH = 28;

  private final long job;
  private final int subtask;
  private final long epoch;
  private long sequence;

  /**
   * @param jobId the job's id (any stable string; hashed)
   * @param subtask the writer subtask's index
   * @param epoch the checkpoint the writer was restored from, 0 on a fresh start
   */
  public AppendKeys(String jobId, int subtask, long epoch) {
    this.job = hash64(jobId);
    this.subtask = subtask;
    this.epoch = epoch;
  }

  /** The next key. */
  public byte[] next() {
    return ByteBuffer.allocate(KEY_LENGTH)
        .putLong(job)
        .putInt(subtask)
        .putLong(epoch)
        .putLong(sequence++)
        .array();
  }

  /** FNV-1a, 64 bits: stable across JVMs and releases (unlike String.hashCode's 32 bits). */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
