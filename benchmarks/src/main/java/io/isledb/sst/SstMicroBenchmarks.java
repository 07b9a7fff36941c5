package io.isledb.sst;

import io.isledb.bench.BenchData;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
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
 * Micro benchmarks of the SST hot paths: encoding and decoding one 16 KiB data block (LZ4, the
 * flush codec), a bloom filter probe, and a point lookup served from the block cache. They live in
 * {@code io.isledb.sst} to reach the package-private block classes. Entries are the workloads' 20-
 * byte keys and 400-byte values.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Thread)
public class SstMicroBenchmarks {
  private static final int TABLE_KEYS = 100_000;

  private byte[][] blockKeys; // internal keys of one block
  private byte[][] blockValues;
  private BlockBuilder builder;
  private BlockEncoder encoder;
  private byte[] storedBlock;
  private int storedSize;
  private BloomFilter bloom;
  private byte[][] probeKeys;
  private TableReader table;
  private int next;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    BenchData data = new BenchData(42);
    int perBlock = 16 * 1024 / (BenchData.KEY_SIZE + 8 + BenchData.VALUE_SIZE + 3) + 1;
    blockKeys = new byte[perBlock][];
    blockValues = new byte[perBlock][];
    for (int i = 0; i < perBlock; i++) {
      byte[] k = new byte[BenchData.KEY_SIZE + 8];
      System.arraycopy(BenchData.key(1000 + i), 0, k, 0, BenchData.KEY_SIZE);
      io.isledb.util.Coding.putFixed64(k, BenchData.KEY_SIZE, Keys.trailer(i + 1, ValueKind.PUT));
      blockKeys[i] = k;
      blockValues[i] = data.value(i);
    }
    builder = new BlockBuilder(16, 17 * 1024);
    encoder = new BlockEncoder(Compression.LZ4, 3, 17 * 1024);
    encodeBlock();
    storedBlock = java.util.Arrays.copyOf(encoder.array(), encoder.size());
    storedSize = encoder.size() - SstFormat.BLOCK_TRAILER_LENGTH;

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TableBuilder tb =
        new TableBuilder(out, TableOptions.defaults().withCompression(Compression.LZ4))) {
      for (int i = 0; i < TABLE_KEYS; i++) {
        tb.add(BenchData.key(i), i + 1, ValueKind.PUT, 0, data.value(i));
      }
      tb.finish();
    }
    byte[] file = out.toByteArray();
    ConcurrentHashMap<BlockCacheKey, Block> map = new ConcurrentHashMap<>();
    BlockCache cache =
        new BlockCache() {
          @Override
          public Block get(BlockCacheKey key) {
            return map.get(key);
          }

          @Override
          public void put(BlockCacheKey key, Block block) {
            map.put(key, block);
          }
        };
    table = TableReader.open("bench", file.length, BlockSource.of(file), cache, 1);
    bloom = table.filter();
    SplittableRandom r = new SplittableRandom(1);
    probeKeys = new byte[4096][];
    for (int i = 0; i < probeKeys.length; i++) {
      probeKeys[i] = BenchData.key(r.nextInt(TABLE_KEYS));
      if (table.get(probeKeys[i]) == null) {
        throw new IllegalStateException("key missing");
      }
    }
  }

  private int encodeBlock() {
    builder.reset();
    for (int i = 0; i < blockKeys.length; i++) {
      builder.add(
          blockKeys[i], blockKeys[i].length, false, 0, blockValues[i], 0, blockValues[i].length);
    }
    builder.finish();
    encoder.encode(builder.array(), builder.size(), true);
    return encoder.size();
  }

  /** Builds one 16 KiB block and encodes it (LZ4, CRC32C). */
  @Benchmark
  public int blockEncode() {
    return encodeBlock();
  }

  /** Verifies, decompresses and iterates one 16 KiB block. */
  @Benchmark
  public long blockDecode() {
    BlockDecoder.Contents c = BlockDecoder.decode(storedBlock, 0, storedSize, "bench", 0, "block");
    Block b = new Block(c.data(), c.length(), "bench", 0, "block");
    BlockIterator it = new BlockIterator(true);
    it.reset(b);
    long sum = 0;
    for (it.seekToFirst(); it.valid(); it.next()) {
      sum += it.userValueLength();
    }
    return sum;
  }

  /** One bloom filter probe for a present key (100,000 keys, 10 bits/key). */
  @Benchmark
  public boolean bloomProbe() {
    return bloom.mayContain(probeKeys[next++ & (probeKeys.length - 1)]);
  }

  /** One point lookup whose block is in the block cache (range check, bloom, index, block seek). */
  @Benchmark
  public Entry blockCacheHit() {
    return table.get(probeKeys[next++ & (probeKeys.length - 1)]);
  }
}
