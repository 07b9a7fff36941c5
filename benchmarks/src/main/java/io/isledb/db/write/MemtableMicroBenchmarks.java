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
 * Micro benchmark of a memtable insert as the writer does it (key and value copied in, random
 * 20-byte keys, 400-byte values), into memtables of the default 64 MiB. The figure includes the
 * sort a flush does once per memtable, amortized over its inserts. In {@code io.isledb.db.write} to
 * reach the package-private memtable.
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
    SplittableRandom r = new SplittableRandom(3);
    keys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = BenchData.key(r.nextLong(1L << 40));
    }
    value = new BenchData(3).value(0);
    memtable = new Memtable(System.nanoTime());
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
}
