package io.isledb.bench;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * IsleDB under test: one database prefix, its writer, a merge compactor running in the background
 * (the counterpart of RocksDB's automatic compactions) on its own store instance so its requests
 * are counted apart from the writer's, and readers with the benchmark's block cache.
 */
public final class IsleEngine implements Engine {
  private static final AtomicLong PREFIXES = new AtomicLong();

  /** Meta sections (index, filter) a cold reader loads when it opens: every table here. */
  static final long COLD_PREOPEN_BYTES = 1L << 30;

  private final String name;
  private final String uri;
  private final String prefix;
  private final Map<String, String> conf;
  private final ObjectStore store;
  private final ObjectStore compactorStore;
  private final IsleDB db;
  private final IsleDB compactorDb;
  private final Writer writer;
  private Compactor compactor;
  private final long blockCacheBytes;
  private final WriterOptions writerOptions;

  /**
   * Opens a fresh database.
   *
   * @param backgroundCompaction start the merge compactor with default options
   */
  public IsleEngine(
      String name,
      String uri,
      Map<String, String> conf,
      WriterOptions writerOptions,
      long blockCacheBytes,
      boolean backgroundCompaction) {
    this.name = name;
    this.uri = uri;
    this.conf = conf;
    this.prefix = "bench-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    this.blockCacheBytes = blockCacheBytes;
    this.writerOptions = writerOptions;
    this.store = IsleDB.openStore(uri, prefix, conf);
    this.db = IsleDB.open(store, DBOptions.defaults());
    this.writer = db.openWriter(writerOptions);
    this.compactorStore = IsleDB.openStore(uri, prefix, conf);
    this.compactorDb = IsleDB.open(compactorStore, DBOptions.defaults());
    this.compactor = compactorDb.openCompactor(CompactorOptions.defaults());
    if (backgroundCompaction) {
      compactor.start();
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The writer's store (requests of writes and flushes). */
  public ObjectStore store() {
    return store;
  }

  /** The compactor's store. */
  public ObjectStore compactorStore() {
    return compactorStore;
  }

  /** The database URI and prefix, for opening more readers. */
  public ObjectStore openStore() {
    return IsleDB.openStore(uri, prefix, conf);
  }

  /** The writer's options. */
  public WriterOptions writerOptions() {
    return writerOptions;
  }

  /** The writer. */
  public Writer writer() {
    return writer;
  }

  @Override
  public void put(byte[] key, byte[] value) {
    writer.put(key, value);
  }

  @Override
  public void flush() {
    writer.flush();
  }

  @Override
  public void compactAll() {
    compactAllCounted();
  }

  /** Compacts into one sorted run (a compactor triggering on any L0 table); input bytes merged. */
  public long compactAllCounted() {
    long input = 0;
    compactor.close(); // the full compaction below fences it anyway
    try (IsleDB d = IsleDB.open(compactorStore, DBOptions.defaults());
        Compactor c = d.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      while (true) {
        Optional<CompactionResult> r = c.runOnce();
        if (r.isEmpty()) {
          break;
        }
        input += r.get().inputBytes();
      }
    }
    return input;
  }

  @Override
  public Reads openReads(boolean cold) {
    ObjectStore s = IsleDB.openStore(uri, prefix, conf);
    ReaderOptions o = ReaderOptions.defaults().withBlockCacheBytes(blockCacheBytes);
    if (cold) {
      // No disk cache, every block read from storage; the tables' index and bloom filters are
      // loaded when the reader opens (untimed), as RocksDB's DB::Open does with its default
      // max_open_files=-1, instead of by the first timed lookup that touches each table.
      o = o.withDiskCacheBytes(0).withSmallTableBytes(0).withPreopenBytes(COLD_PREOPEN_BYTES);
    }
    Reader r = IsleDB.openReader(s, o);
    return new IsleReads(s, r);
  }

  /** A reader with explicit options on its own store. */
  public IsleReads openReads(ReaderOptions o) {
    ObjectStore s = IsleDB.openStore(uri, prefix, conf);
    return new IsleReads(s, IsleDB.openReader(s, o));
  }

  @Override
  public long storageBytesWritten() {
    return store.stats().bytesWritten();
  }

  @Override
  public void close() {
    try {
      compactor.close();
      compactorDb.close();
      writer.close();
      db.close();
    } finally {
      store.close();
      compactorStore.close();
    }
  }

  /** An IsleDB reader on its own store. */
  public static final class IsleReads implements Reads {
    private final ObjectStore store;
    private final Reader reader;

    IsleReads(ObjectStore store, Reader reader) {
      this.store = store;
      this.reader = reader;
    }

    /** The reader's store (its requests). */
    public ObjectStore store() {
      return store;
    }

    /** The reader. */
    public Reader reader() {
      return reader;
    }

    @Override
    public byte[] get(byte[] key) {
      return reader.get(key).orElse(null);
    }

    @Override
    public int scan(byte[] from, int n) {
      int count = 0;
      try (KvIterator it = reader.scan(from, null)) {
        while (count < n && it.hasNext()) {
          KV kv = it.next();
          if (kv.value().length == 0) {
            throw new IllegalStateException("empty value");
          }
          count++;
        }
      }
      return count;
    }

    @Override
    public void refresh() {
      reader.refresh();
    }

    @Override
    public void close() {
      try {
        reader.close();
      } finally {
        store.close();
      }
    }
  }
}
