package io.isledb;

/**
 * Decides, during merge compaction, whether an entry is still wanted: the engine's hook for
 * application-level expiry (for example Flink state TTL, whose timestamps live inside the values).
 * Installed with {@link CompactorOptions#withFilter}; called on the compactor's threads, possibly
 * several at once, so implementations must be thread-safe, fast and free of storage requests.
 *
 * <p>What the filter sees: for every key of a compaction's inputs, only the newest version of the
 * key in those inputs, and only when it is a live value (never a deletion, never an entry whose
 * engine ttl has passed). Values stored inline are passed as they were written ({@link #filter});
 * values the writer stored as separate blob objects (larger than {@code WriterOptions
 * blobThreshold}) are never fetched: {@link #filterLargeValue} gets their length only, and keeps
 * them by default. The filter never sees the engine's internal encodings (blob references, sequence
 * numbers, expiry times).
 *
 * <p>What dropping does (docs/PROTOCOL.md, "Compaction filters"): the entry disappears from the
 * compaction's output when that output becomes the oldest run (bottommost: nothing older of the key
 * can exist below it); otherwise it is replaced by a deletion at the same sequence number, so an
 * older version of the key in an older run can never become visible again. Readers of the head see
 * the key as absent once the compaction committed; versions committed before it (pins, readers at
 * older versions) keep their tables and still see the entry. A drop is not a change: tailing
 * readers receive nothing for it.
 *
 * <p>An exception thrown by the filter fails the compaction (nothing is committed; its outputs are
 * left for garbage collection); the background loop retries later.
 */
public interface CompactionFilter {
  /** A filter's verdict on one entry. */
  enum Decision {
    /** The entry stays. */
    KEEP,
    /** The entry is removed (see the class comment for how). */
    DROP
  }

  /**
   * The verdict on an entry whose value is stored inline.
   *
   * @param key the user key (do not modify)
   * @param value the value as written (do not modify)
   * @param compactionTimeMillis when the compaction started, read from the database's {@code
   *     DBOptions.clock()}; the same for every entry of one compaction
   */
  Decision filter(byte[] key, byte[] value, long compactionTimeMillis);

  /**
   * The verdict on an entry whose value is stored as a blob object; the value is not read (that
   * would cost a request per entry). Keeps by default.
   *
   * @param key the user key (do not modify)
   * @param valueLength the value's length in bytes
   * @param compactionTimeMillis as for {@link #filter}
   */
  default Decision filterLargeValue(byte[] key, long valueLength, long compactionTimeMillis) {
    return Decision.KEEP;
  }

  /** The filter that keeps everything (the default: compaction without a filter). */
  static CompactionFilter keepAll() {
    return KeepAll.INSTANCE;
  }
}

/** The default filter. */
enum KeepAll implements CompactionFilter {
  INSTANCE;

  @Override
  public Decision filter(byte[] key, byte[] value, long compactionTimeMillis) {
    return Decision.KEEP;
  }
}
