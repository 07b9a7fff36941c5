package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Tables written and read back against a sorted in-memory model. */
class TableRoundTripTest {

  static Stream<Arguments> configurations() {
    List<Arguments> out = new ArrayList<>();
    long seed = 1000;
    for (Compression c : Compression.values()) {
      out.add(Arguments.of(c, 1, 1, seed++)); // one entry per block
      out.add(Arguments.of(c, 256, 4, seed++));
      out.add(Arguments.of(c, 4096, 16, seed++));
      out.add(Arguments.of(c, TableOptions.DEFAULT_BLOCK_SIZE, 16, seed++));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} blockSize={1} restart={2} seed={3}")
  @MethodSource("configurations")
  void roundTripAgainstModel(Compression compression, int blockSize, int restart, long seed) {
    Model model = randomModel(seed, 1500, 600);
    TableOptions options =
        TableOptions.defaults()
            .withCompression(compression)
            .withBlockSize(blockSize)
            .withRestartInterval(restart)
            .withCreationTimeMillis(1234)
            .withDataTimeRange(10, 20);
    String msg = "seed " + seed + ", " + options;
    byte[] file = build(model.entries(), options);
    MapBlockCache cache = new MapBlockCache();
    try (TableReader reader =
        TableReader.open("t.sst", file.length, BlockSource.of(file), cache, 7)) {
      assertThat(readAll(reader.iterator())).as(msg).containsExactlyElementsOf(model.entries());
      assertThat(readAll(reader.iterator(ScanOptions.sequential(3000))))
          .as(msg + " with readahead")
          .containsExactlyElementsOf(model.entries());
      assertThat(readAll(reader.iterator(new ScanOptions(true, 100_000))))
          .as(msg + " with readahead filling the cache")
          .containsExactlyElementsOf(model.entries());

      checkProperties(reader.properties(), model, options, file.length, msg);
      checkGets(reader, model, new Random(seed + 1), msg);
      checkSeeks(reader, model, new Random(seed + 2), msg);
    }
  }

  static void checkProperties(
      TableProperties p, Model model, TableOptions options, long fileSize, String msg) {
    List<Entry> es = model.entries();
    assertThat(p.formatVersion()).as(msg).isEqualTo(SstFormat.FORMAT_VERSION);
    assertThat(p.entryCount()).as(msg).isEqualTo(es.size());
    assertThat(p.smallestKey()).as(msg).isEqualTo(es.get(0).userKey());
    assertThat(p.largestKey()).as(msg).isEqualTo(es.get(es.size() - 1).userKey());
    assertThat(p.minSeq()).as(msg).isEqualTo(es.stream().mapToLong(Entry::seq).min().orElseThrow());
    assertThat(p.maxSeq()).as(msg).isEqualTo(es.stream().mapToLong(Entry::seq).max().orElseThrow());
    assertThat(p.tombstoneCount())
        .as(msg)
        .isEqualTo(es.stream().filter(e -> e.kind().isTombstone()).count());
    assertThat(p.expiringCount())
        .as(msg)
        .isEqualTo(es.stream().filter(e -> e.kind().hasExpiry()).count());
    assertThat(p.blobCount()).as(msg).isEqualTo(es.stream().filter(e -> e.kind().isBlob()).count());
    assertThat(p.minExpiresAtMillis())
        .as(msg)
        .isEqualTo(
            es.stream()
                .filter(e -> e.kind().hasExpiry())
                .mapToLong(Entry::expiresAtMillis)
                .min()
                .orElse(0));
    assertThat(p.maxExpiresAtMillis())
        .as(msg)
        .isEqualTo(
            es.stream()
                .filter(e -> e.kind().hasExpiry())
                .mapToLong(Entry::expiresAtMillis)
                .max()
                .orElse(0));
    assertThat(p.rawKeyBytes())
        .as(msg)
        .isEqualTo(es.stream().mapToLong(e -> e.userKey().length).sum());
    assertThat(p.rawValueBytes())
        .as(msg)
        .isEqualTo(es.stream().mapToLong(e -> e.value().length).sum());
    assertThat(p.fileSize()).as(msg).isEqualTo(fileSize);
    assertThat(p.creationTimeMillis()).as(msg).isEqualTo(options.creationTimeMillis());
    assertThat(p.minDataTimeMillis()).as(msg).isEqualTo(options.minDataTimeMillis());
    assertThat(p.maxDataTimeMillis()).as(msg).isEqualTo(options.maxDataTimeMillis());
    assertThat(p.compression()).as(msg).isEqualTo(options.compression());
    assertThat(p.blockSize()).as(msg).isEqualTo(options.blockSize());
    assertThat(p.restartInterval()).as(msg).isEqualTo(options.restartInterval());
    assertThat(p.bloomBitsPerKey()).as(msg).isEqualTo(options.bloomBitsPerKey());
    assertThat(p.dataSize() + p.filterSize() + p.indexSize())
        .as(msg + ": data, filter and index fit in the file")
        .isLessThan(fileSize);
  }

  static void checkGets(TableReader reader, Model model, Random r, String msg) {
    for (var e : model.byKey().entrySet()) {
      byte[] key = e.getKey();
      List<Entry> versions = e.getValue();
      assertThat(reader.mayContain(key)).as(msg).isTrue();
      assertThat(reader.get(key)).as(msg + " get newest").isEqualTo(versions.get(0));
      if (versions.size() > 1 || r.nextInt(10) == 0) {
        for (Entry v : versions) {
          assertThat(reader.get(key, v.seq())).as(msg + " get at its seq").isEqualTo(v);
          if (v.seq() > 0) {
            assertThat(reader.get(key, v.seq() - 1))
                .as(msg + " get just below seq " + v.seq())
                .isEqualTo(model.newest(key, v.seq() - 1));
          }
        }
      }
    }
    // Absent keys: random ones, and ones just after / before existing keys.
    int checked = 0;
    List<byte[]> keys = new ArrayList<>(model.byKey().keySet());
    while (checked < 500) {
      byte[] base = keys.get(r.nextInt(keys.size()));
      byte[] probe =
          switch (r.nextInt(3)) {
            case 0 -> lowEntropyBytes(r, r.nextInt(14));
            case 1 -> Arrays.copyOf(base, base.length + 1);
            default -> base.length == 0 ? new byte[] {1} : Arrays.copyOf(base, base.length - 1);
          };
      if (!model.byKey().containsKey(probe)) {
        assertThat(reader.get(probe)).as(msg + " absent key " + Arrays.toString(probe)).isNull();
        checked++;
      }
    }
  }

  static void checkSeeks(TableReader reader, Model model, Random r, String msg) {
    checkSeeks(reader, model, r, 400, msg);
  }

  static void checkSeeks(TableReader reader, Model model, Random r, int rounds, String msg) {
    TableIterator it = reader.iterator();
    List<byte[]> keys = new ArrayList<>(model.byKey().keySet());
    byte[] pastLast =
        Arrays.copyOf(keys.get(keys.size() - 1), keys.get(keys.size() - 1).length + 1);
    List<byte[]> probes = new ArrayList<>(List.of(new byte[0], pastLast, new byte[] {(byte) 0xff}));
    for (int i = 0; i < rounds; i++) {
      byte[] base = keys.get(r.nextInt(keys.size()));
      probes.add(base);
      probes.add(Arrays.copyOf(base, base.length + 1));
      probes.add(lowEntropyBytes(r, r.nextInt(8)));
    }
    for (byte[] probe : probes) {
      it.seek(probe);
      expectAt(
          it, model, model.ceiling(probe, Long.MAX_VALUE), msg + " seek " + Arrays.toString(probe));
    }
    // Among versions: seek(key, seq) for every version of keys with several.
    for (var e : model.byKey().entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      for (Entry v : e.getValue()) {
        for (long s :
            new long[] {
              v.seq(), Math.max(0, v.seq() - 1), Math.min(SstFormat.MAX_SEQUENCE, v.seq() + 1)
            }) {
          it.seek(e.getKey(), s);
          expectAt(it, model, model.ceiling(e.getKey(), s), msg + " seek at seq " + s);
        }
      }
    }
  }

  /** The iterator is at {@code expected} (invalid if null), and the next few entries match. */
  static void expectAt(TableIterator it, Model model, Entry expected, String msg) {
    if (expected == null) {
      assertThat(it.valid()).as(msg + ": past the last entry").isFalse();
      return;
    }
    Entry want = expected;
    for (int step = 0; step < 3 && want != null; step++) {
      assertThat(it.valid()).as(msg + " step " + step).isTrue();
      assertThat(it.entry()).as(msg + " step " + step).isEqualTo(want);
      it.next();
      want = model.sorted().higher(want);
    }
    if (want == null) {
      assertThat(it.valid()).as(msg + ": end").isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void hugeKeysAndMultiMebibyteValues(Compression compression) {
    long seed = 77;
    Random r = new Random(seed);
    List<Entry> entries = new ArrayList<>();
    byte[] prefix = lowEntropyBytes(r, SstFormat.MAX_KEY_LENGTH - 1);
    for (int i = 0; i < 6; i++) {
      byte[] key = Arrays.copyOf(prefix, SstFormat.MAX_KEY_LENGTH);
      key[key.length - 1] = (byte) (i * 10);
      int valueLength = i == 1 ? 5 << 20 : i == 3 ? 3 << 20 : i == 4 ? 0 : 100;
      byte[] value = i % 2 == 0 ? randomBytes(r, valueLength) : lowEntropyBytes(r, valueLength);
      entries.add(new Entry(key, 100 - i, ValueKind.PUT, 0, value));
    }
    entries.add(new Entry(bytes("z"), 5, ValueKind.PUT_EXPIRING, 99, randomBytes(r, 4 << 20)));
    Model model = Model.of(entries);
    byte[] file = build(entries, TableOptions.defaults().withCompression(compression));
    String msg = "seed " + seed + " " + compression;
    try (TableReader reader =
        TableReader.open("big.sst", file.length, BlockSource.of(file), new MapBlockCache(), 1)) {
      assertThat(readAll(reader.iterator())).as(msg).containsExactlyElementsOf(entries);
      for (Entry e : entries) {
        assertThat(reader.get(e.userKey())).as(msg).isEqualTo(e);
      }
      checkSeeks(reader, model, new Random(seed), 10, msg);
      // The multi-MiB entries make blocks larger than the block size.
      assertThat(reader.properties().dataBlockCount()).as(msg).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void manyVersionsOfOneKeySpanBlocks() {
    List<Entry> entries = new ArrayList<>();
    entries.add(entry("a", 1, ValueKind.PUT, "first"));
    for (int seq = 5000; seq >= 1; seq--) {
      ValueKind kind = seq % 7 == 0 ? ValueKind.DELETE : ValueKind.PUT;
      entries.add(entry("key", seq, kind, "v" + seq));
    }
    entries.add(entry("z", 1, ValueKind.PUT, "last"));
    Model model = Model.of(entries);
    byte[] file = build(entries, TableOptions.defaults().withBlockSize(256));
    try (TableReader reader = open(file)) {
      assertThat(reader.properties().dataBlockCount()).isGreaterThan(100);
      assertThat(readAll(reader.iterator())).containsExactlyElementsOf(entries);
      for (long s = 0; s <= 5001; s++) {
        assertThat(reader.get(bytes("key"), s))
            .as("seq " + s)
            .isEqualTo(model.newest(bytes("key"), s));
        TableIterator it = reader.iterator();
        it.seek(bytes("key"), s);
        expectAt(it, model, model.ceiling(bytes("key"), s), "seek seq " + s);
      }
    }
  }

  @Test
  void seekSemanticsOnASmallTable() {
    List<Entry> entries =
        List.of(
            entry("b", 30, ValueKind.PUT, "b30"),
            entry("b", 20, ValueKind.DELETE, ""),
            entry("b", 10, ValueKind.PUT, "b10"),
            entry("d", 5, ValueKind.PUT, "d5"));
    for (int blockSize : new int[] {1, 4096}) {
      byte[] file = build(entries, TableOptions.defaults().withBlockSize(blockSize));
      try (TableReader reader = open(file)) {
        TableIterator it = reader.iterator();
        it.seek(bytes("a")); // before the first key
        assertThat(it.entry()).isEqualTo(entries.get(0));
        it.seek(bytes("b")); // exact: newest version first
        assertThat(it.entry()).isEqualTo(entries.get(0));
        it.seek(bytes("b"), 25); // among versions
        assertThat(it.entry()).isEqualTo(entries.get(1));
        it.seek(bytes("b"), 20);
        assertThat(it.entry()).isEqualTo(entries.get(1));
        it.seek(bytes("b"), 9); // below every version: the next key
        assertThat(it.entry()).isEqualTo(entries.get(3));
        it.seek(bytes("c")); // between keys
        assertThat(it.entry()).isEqualTo(entries.get(3));
        it.seek(bytes("d"));
        assertThat(it.entry()).isEqualTo(entries.get(3));
        it.next();
        assertThat(it.valid()).isFalse();
        it.seek(bytes("e")); // past the last key
        assertThat(it.valid()).isFalse();
        it.seek(bytes("d\0"));
        assertThat(it.valid()).isFalse();
        it.seekToFirst();
        assertThat(it.entry()).isEqualTo(entries.get(0));
      }
    }
  }

  @Test
  void emptyTable() {
    byte[] file = build(List.of(), TableOptions.defaults());
    try (TableReader reader = open(file)) {
      TableProperties p = reader.properties();
      assertThat(p.entryCount()).isZero();
      assertThat(p.dataBlockCount()).isZero();
      assertThat(p.smallestKey()).isEmpty();
      assertThat(p.largestKey()).isEmpty();
      assertThat(p.fileSize()).isEqualTo(file.length);
      assertThat(reader.get(new byte[0])).isNull();
      assertThat(reader.mayContain(new byte[0])).isFalse();
      TableIterator it = reader.iterator();
      it.seekToFirst();
      assertThat(it.valid()).isFalse();
      it.seek(new byte[0]);
      assertThat(it.valid()).isFalse();
    }
  }

  @Test
  void emptyKeyAndEmptyValues() {
    List<Entry> entries =
        List.of(
            new Entry(new byte[0], 3, ValueKind.PUT, 0, new byte[0]),
            new Entry(new byte[0], 2, ValueKind.PUT_EXPIRING, 5, new byte[0]),
            new Entry(new byte[0], 1, ValueKind.DELETE, 0, new byte[0]),
            new Entry(new byte[] {0}, 1, ValueKind.BLOB, 0, new byte[0]));
    byte[] file = build(entries, TableOptions.defaults());
    try (TableReader reader = open(file)) {
      assertThat(readAll(reader.iterator())).containsExactlyElementsOf(entries);
      assertThat(reader.get(new byte[0])).isEqualTo(entries.get(0));
      assertThat(reader.get(new byte[0], 2)).isEqualTo(entries.get(1));
      assertThat(reader.get(new byte[0], 1)).isEqualTo(entries.get(2));
      assertThat(reader.get(new byte[] {0})).isEqualTo(entries.get(3));
    }
  }

  @Test
  void zeroCopyAccessorsMatchCopies() {
    Model model = randomModel(31, 300, 100);
    byte[] file = build(model.entries(), TableOptions.defaults().withBlockSize(512));
    try (TableReader reader = open(file)) {
      TableIterator it = reader.iterator();
      int i = 0;
      for (it.seekToFirst(); it.valid(); it.next(), i++) {
        Entry e = model.entries().get(i);
        assertThat(Arrays.copyOf(it.userKeyArray(), it.userKeyLength())).isEqualTo(e.userKey());
        assertThat(it.userKey()).isEqualTo(e.userKey());
        assertThat(it.compareUserKey(e.userKey())).isZero();
        assertThat(
                Arrays.copyOfRange(
                    it.valueArray(), it.valueOffset(), it.valueOffset() + it.valueLength()))
            .isEqualTo(e.value());
        assertThat(it.value()).isEqualTo(e.value());
        assertThat(it.seq()).isEqualTo(e.seq());
        assertThat(it.kind()).isEqualTo(e.kind());
        assertThat(it.expiresAtMillis()).isEqualTo(e.expiresAtMillis());
      }
      assertThat(i).isEqualTo(model.entries().size());
    }
  }

  @Test
  void misuseOfIteratorAndClosedReader() {
    byte[] file = build(List.of(entry("a", 1, ValueKind.PUT, "x")), TableOptions.defaults());
    TableReader reader = open(file);
    TableIterator it = reader.iterator();
    assertThatThrownBy(it::next)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT));
    assertThatThrownBy(it::userKey).isInstanceOf(IsleException.class);
    assertThatThrownBy(() -> reader.get(bytes("a"), -1)).isInstanceOf(IsleException.class);
    reader.close();
    assertThatThrownBy(() -> reader.get(bytes("a")))
        .isInstanceOfSatisfying(
            IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    assertThatThrownBy(it::seekToFirst).isInstanceOf(IsleException.class);
  }

  @Test
  void withoutBloomFilterEveryKeyInRangeMayBePresent() {
    Model model = randomModel(41, 200, 50);
    byte[] file = build(model.entries(), TableOptions.defaults().withBloomBitsPerKey(0));
    try (TableReader reader = open(file)) {
      assertThat(reader.properties().bloomBitsPerKey()).isZero();
      assertThat(reader.properties().filterSize()).isEqualTo(1);
      assertThat(reader.mayContain(model.entries().get(1).userKey())).isTrue();
      checkGets(reader, model, new Random(41), "seed 41 without filter");
    }
  }

  @Test
  void readsFromALocalFile(@TempDir Path dir) throws Exception {
    Model model = randomModel(51, 500, 200);
    byte[] file = build(model.entries(), TableOptions.defaults().withBlockSize(1024));
    Path path = dir.resolve("t.sst");
    Files.write(path, file);
    try (FileBlockSource source = FileBlockSource.open(path);
        TableReader reader =
            TableReader.open("t.sst", source.size(), source, new MapBlockCache(), 1)) {
      assertThat(readAll(reader.iterator()))
          .as("seed 51")
          .containsExactlyElementsOf(model.entries());
      checkGets(reader, model, new Random(52), "seed 51 from a file");
      assertThat(source.read(file.length - 10, 100)).as("read past the end").hasSize(10);
    }
  }

  @Test
  void concurrentLookupsAndScansShareOneReaderAndCache() throws Exception {
    long seed = 61;
    Model model = randomModel(seed, 2000, 100);
    byte[] file = build(model.entries(), TableOptions.defaults().withBlockSize(1024));
    MapBlockCache cache = new MapBlockCache();
    try (TableReader reader =
        TableReader.open("t.sst", file.length, BlockSource.of(file), cache, 3)) {
      List<byte[]> keys = new ArrayList<>(model.byKey().keySet());
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          long threadSeed = seed * 10 + t;
          futures.add(
              pool.submit(
                  () -> {
                    Random r = new Random(threadSeed);
                    for (int i = 0; i < 3000; i++) {
                      byte[] key = keys.get(r.nextInt(keys.size()));
                      assertThat(reader.get(key))
                          .as("thread seed " + threadSeed)
                          .isEqualTo(model.byKey().get(key).get(0));
                    }
                    assertThat(readAll(reader.iterator()))
                        .as("thread seed " + threadSeed)
                        .containsExactlyElementsOf(model.entries());
                    return null;
                  }));
        }
        for (var f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
