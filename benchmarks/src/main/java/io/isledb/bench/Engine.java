package io.isledb.bench;

/**
 * One key-value engine under test, in the shape every workload needs: a single writer, a way to
 * make writes durable and visible, full compaction, and readers with warm or empty caches.
 */
public interface Engine extends AutoCloseable {
  /** Short name used in tables: {@code rocksdb}, {@code isle-file}, {@code isle-s3a}. */
  String name();

  /** Buffers one write (no WAL, no sync). */
  void put(byte[] key, byte[] value);

  /** Returns when every earlier write is durable and visible to new readers. */
  void flush();

  /** Compacts everything written so far into the engine's steady read shape. */
  void compactAll();

  /**
   * A reader. {@code cold}: caches start empty (IsleDB: a new reader without disk cache; RocksDB:
   * the database reopened with a new block cache, the OS page cache is left as it is).
   */
  Reads openReads(boolean cold);

  /** Bytes this engine's storage received so far (IsleDB: object bytes; RocksDB: -1). */
  long storageBytesWritten();

  @Override
  void close();

  /** Point reads and short scans. Each instance is used by one thread at a time. */
  interface Reads extends AutoCloseable {
    /** The value or null. */
    byte[] get(byte[] key);

    /** Reads up to {@code n} entries from the first key at or after {@code from}; the count. */
    int scan(byte[] from, int n);

    /** Moves to the newest committed data (IsleDB readers serve one version at a time). */
    void refresh();

    @Override
    void close();
  }
}
