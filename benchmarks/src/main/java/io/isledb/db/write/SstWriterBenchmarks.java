package io.isledb.db.write;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.bench.BenchData;
import io.isledb.storage.InMemoryObjectStore;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An external {@link SstWriter} with unsorted input (the Flink SQL sink's writer): {@code rows}
 * puts of 20-byte keys and 40-byte values, in random or ascending key order, then {@code finish()}
 * (table building, LZ4, bloom filters, upload to an in-memory store), one op per batch. The figure
 * is the writer's buffering and sorting plus the table building. Not a {@code *MicroBenchmarks}
 * class, so the standard suite (and its CI smoke run) leaves it out; run it with {@code java -cp
 * <benchmarks class path> org.openjdk.jmh.Main SstWriterBenchmarks}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Thread)
public class SstWriterBenchmarks {
  @Param({"200000"})
  public int rows;

  @Param({"random", "ascending"})
  public String order;

  private byte[][] keys;
  private byte[][] values;
  private IsleDB db;

  @Setup(Level.Trial)
  public void setup() {
    SplittableRandom r = new SplittableRandom(7);
    keys = new byte[rows][];
    values = new byte[rows][];
    for (int i = 0; i < rows; i++) {
      long k = "random".equals(order) ? r.nextLong(1L << 40) : i;
      keys[i] = BenchData.key(k);
      values[i] = new byte[40];
      r.nextBytes(values[i]);
    }
  }

  /** A fresh store per batch, so uploaded tables do not pile up on the heap. */
  @Setup(Level.Invocation)
  public void open() {
    db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults());
  }

  @TearDown(Level.Invocation)
  public void close() {
    db.close();
  }

  /** {@code rows} puts and one {@code finish()}. */
  @Benchmark
  public int writeRows() {
    try (SstWriter w = db.newSstWriter(SstWriterOptions.defaults())) {
      for (int i = 0; i < rows; i++) {
        w.put(keys[i], values[i]);
      }
      return w.finish().size();
    }
  }
}
