package io.isledb.db.write;

import io.isledb.bench.BenchData;
import io.isledb.sst.ValueKind;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micro benchmarks of the memtable: an insert as the writer does it (key and value copied in,
 * random 20-byte keys, 400-byte values; the hash index is built by the first lookup), into
 * memtables of the default 64 MiB, the figure including the sort a flush does once per memtable,
 * amortized over its inserts; a point lookup of the newest entry of a key (the writer view's first
 * step) in a memtable holding 128 Ki keys; and a writer view's {@code get} of a key half the time
 * in the memtable, half the time in a flushed, cached table. In {@code io.isledb.db.write} to reach
 * the package-private memtable.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Thread)
public class MemtableMicroBenchmarks {
  private static final int KEYS = 1 << 17;
  private static final long MEMTABLE_BYTES = 64L << 20;

  private byte[][] keys;
  private byte[] value;
  private Memtable memtable;
  private long seq;
  private long sink;

  @Setup(Level.Trial)
  public void setup() {
    keys = randomKeys(3);
    value = new BenchData(3).value(0);
    memtable = new Memtable(System.nanoTime());
  }

  private static byte[][] randomKeys(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[][] k = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      k[i] = BenchData.key(r.nextLong(1L << 40));
    }
    return k;
  }

  /**
   * A memtable of 128 Ki keys, indexed (in its own state, so {@link #insert} runs without it on the
   * heap, as before the index).
   */
  @State(Scope.Thread)
  public static class Full {
    private byte[][] keys;
    private Memtable full;
    private int probe;

    @Setup(Level.Trial)
    public void setup() {
      keys = randomKeys(3);
      byte[] value = new BenchData(3).value(0);
      full = new Memtable(0);
      for (int i = 0; i < KEYS; i++) {
        full.add(keys[i], i + 1, ValueKind.PUT, 0, value, 1_000L);
      }
      full.find(keys[0]); // indexes every entry (lazily built on the first find)
    }
  }

  /** The newest entry of a key present in a memtable of 128 Ki keys (value copied out). */
  @Benchmark
  public Object get(Full f) {
    return f.full.find(f.keys[(f.probe++ * 7919) & (KEYS - 1)]);
  }

  /** One insert; a full memtable is replaced by a new one (amortized in the figure). */
  @Benchmark
  public long insert() {
    if (memtable.approximateBytes() >= MEMTABLE_BYTES) {
      sink += memtable.sorted().size(); // the flush's one sort, amortized
      memtable = new Memtable(System.nanoTime());
    }
    long s = ++seq;
    memtable.add(keys[(int) (s & (KEYS - 1))], s, ValueKind.PUT, 0, value, 1_000L);
    return s + sink;
  }

  /**
   * A database with {@code KEYS} keys: the even ones flushed (and read once, so cached), the odd
   * ones in the memtable; the same data in RocksDB (the even keys flushed to an SST).
   */
  @State(Scope.Thread)
  public static class Db {
    private byte[][] keys;
    private io.isledb.ObjectStore store;
    private io.isledb.IsleDB isle;
    private io.isledb.Writer writer;
    private io.isledb.ReadView view;
    private java.nio.file.Path rocksDir;
    private org.rocksdb.Options rocksOptions;
    private org.rocksdb.RocksDB rocks;
    private int probe;

    @Setup(Level.Trial)
    public void setup() throws Exception {
      SplittableRandom r = new SplittableRandom(5);
      keys = new byte[KEYS][];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = BenchData.key(r.nextLong(1L << 40));
      }
      byte[] value = new BenchData(5).value(0);
      store = new io.isledb.storage.InMemoryObjectStore();
      isle = io.isledb.IsleDB.open(store, io.isledb.DBOptions.defaults());
      writer = isle.openWriter(io.isledb.WriterOptions.defaults());
      org.rocksdb.RocksDB.loadLibrary();
      rocksDir = java.nio.file.Files.createTempDirectory("memtable-bench-rocks");
      rocksOptions = new org.rocksdb.Options().setCreateIfMissing(true);
      rocks = org.rocksdb.RocksDB.open(rocksOptions, rocksDir.toString());
      for (int pass = 0; pass < 2; pass++) {
        for (int i = pass; i < KEYS; i += 2) {
          writer.put(keys[i], value);
          rocks.put(keys[i], value);
        }
        if (pass == 0) {
          writer.flush();
          try (org.rocksdb.FlushOptions f = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            rocks.flush(f);
          }
        }
      }
      view = writer.view();
      for (byte[] k : keys) {
        view.get(k);
        rocks.get(k);
      }
    }

    byte[] next() {
      return keys[(probe++ * 7919) & (KEYS - 1)];
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() throws Exception {
      view.close();
      writer.close();
      isle.close();
      store.close();
      rocks.close();
      rocksOptions.close();
      try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(rocksDir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A writer view's get: half the keys in the memtable, half in a cached flushed table. */
  @Benchmark
  public Object viewGet(Db db) {
    return db.view.get(db.next());
  }

  /** RocksDB's get of the same data (half in its memtable, half in an SST). */
  @Benchmark
  public Object rocksGet(Db db) throws Exception {
    return db.rocks.get(db.next());
  }
}
