package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.InMemoryObjectStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Storage requests per operation, counted by {@link InMemoryObjectStore}: the read path must cost
 * what the design promises (DESIGN.md §5), which matters on object storage where every request has
 * latency and a price.
 */
class TableRequestCountTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();

  private TableFile write(String name, Model model, TableOptions options) {
    try (TableFileWriter w = TableFileWriter.create(store, name, options)) {
      for (Entry e : model.entries()) {
        w.add(e.userKey(), e.seq(), e.kind(), e.expiresAtMillis(), e.value());
      }
      return w.finish();
    }
  }

  private TableReader open(TableFile f, BlockCache cache) {
    return TableReader.open(
        f.name(), f.size(), new ObjectStoreBlockSource(store, f.name(), f.size()), cache, 1);
  }

  private RequestStats since(RequestStats before) {
    return store.stats().minus(before);
  }

  @Test
  void writingIsOneStreamingUploadAndNothingElse() {
    RequestStats before = store.stats();
    TableFile f = write("sstable/000/1.sst", randomModel(900, 2000, 100), TableOptions.defaults());
    RequestStats cost = since(before);
    assertThat(cost.count(RequestKind.UPLOAD)).isEqualTo(1);
    assertThat(cost.total()).isEqualTo(1);
    assertThat(cost.bytesWritten()).isEqualTo(f.size());
    assertThat(store.stat(f.name()).orElseThrow().size()).isEqualTo(f.size());
  }

  @Test
  void openCostsOneRangedGetAndLookupsAtMostOneMore() {
    long seed = 901;
    Model model = randomModel(seed, 5000, 100);
    TableFile f = write("sstable/000/2.sst", model, TableOptions.defaults());
    String msg = "seed " + seed + ", " + f.properties();
    assertThat(f.size()).as(msg).isGreaterThan(4L * SstFormat.DEFAULT_TAIL_READ_LENGTH);
    MapBlockCache cache = new MapBlockCache();

    RequestStats before = store.stats();
    TableReader reader = open(f, cache);
    RequestStats openCost = since(before);
    assertThat(openCost.count(RequestKind.GET_RANGE)).as(msg + ": open").isEqualTo(1);
    assertThat(openCost.total()).as(msg + ": open").isEqualTo(1);
    assertThat(openCost.bytesRead()).as(msg).isEqualTo(SstFormat.DEFAULT_TAIL_READ_LENGTH);

    // A cold lookup of a present key: one ranged GET of one block.
    byte[] key = model.entries().get(model.entries().size() / 3).userKey();
    before = store.stats();
    assertThat(reader.get(key)).as(msg).isEqualTo(model.byKey().get(key).get(0));
    RequestStats cold = since(before);
    assertThat(cold.gets()).as(msg + ": cold lookup").isEqualTo(1);
    assertThat(cold.bytesRead()).as(msg).isLessThanOrEqualTo(2L * TableOptions.DEFAULT_BLOCK_SIZE);

    // The same lookup again, and another key in the same block: served by the cache.
    before = store.stats();
    assertThat(reader.get(key)).as(msg).isNotNull();
    assertThat(since(before).total()).as(msg + ": cached lookup").isZero();
    assertThat(cache.hits.get()).isPositive();

    // Absent keys the bloom filter rejects cost nothing; the rest at most one GET each.
    Random r = new Random(seed);
    int rejected = 0;
    int mayContain = 0;
    RequestStats absentBefore = store.stats();
    for (int i = 0; i < 20_000; i++) {
      byte[] absent = lowEntropyBytes(r, 3 + r.nextInt(10));
      if (model.byKey().containsKey(absent)) {
        continue;
      }
      before = store.stats();
      boolean maybe = reader.mayContain(absent);
      assertThat(reader.get(absent)).as(msg).isNull();
      long gets = since(before).gets();
      if (maybe) {
        mayContain++;
        assertThat(gets).as(msg + ": bloom false positive").isLessThanOrEqualTo(1);
      } else {
        rejected++;
        assertThat(gets).as(msg + ": absent key rejected by the bloom filter").isZero();
      }
    }
    // About 0.8% false positives at 10 bits per key.
    assertThat(rejected + mayContain).as(msg).isGreaterThan(10_000);
    assertThat(mayContain).as(msg).isLessThan((rejected + mayContain) / 50);
    assertThat(since(absentBefore).gets()).as(msg).isLessThanOrEqualTo(mayContain);
    reader.close();
  }

  @Test
  void withoutACacheEveryLookupReadsItsBlock() {
    Model model = randomModel(902, 500, 100);
    TableFile f = write("sstable/000/3.sst", model, TableOptions.defaults());
    TableReader reader = open(f, BlockCache.none());
    byte[] key = model.entries().get(10).userKey();
    RequestStats before = store.stats();
    reader.get(key);
    reader.get(key);
    assertThat(since(before).gets()).isEqualTo(2);
  }

  @Test
  void aSmallTableIsReadWholeByTheOpen() {
    Model model = randomModel(903, 100, 50);
    TableFile f = write("sstable/000/4.sst", model, TableOptions.defaults());
    assertThat(f.size()).isLessThan(SstFormat.DEFAULT_TAIL_READ_LENGTH);
    RequestStats before = store.stats();
    open(f, new MapBlockCache());
    RequestStats cost = since(before);
    assertThat(cost.gets()).isEqualTo(1);
    assertThat(cost.bytesRead()).isEqualTo(f.size());
  }

  @Test
  void largeMetadataCostsASecondRead() {
    // 200k small keys at 20 bits/key: the filter alone is ~500 KB, more than the tail read.
    long seed = 904;
    Random r = new Random(seed);
    java.util.List<Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      entries.add(
          new Entry(String.format("k%08d", i).getBytes(), 1, ValueKind.PUT, 0, randomBytes(r, 4)));
    }
    TableFile f =
        write(
            "sstable/000/5.sst",
            Model.of(entries),
            TableOptions.defaults().withBloomBitsPerKey(20));
    assertThat(f.properties().filterSize()).isGreaterThan(SstFormat.DEFAULT_TAIL_READ_LENGTH);
    RequestStats before = store.stats();
    TableReader reader = open(f, new MapBlockCache());
    RequestStats cost = since(before);
    assertThat(cost.gets()).as("seed " + seed).isEqualTo(2);
    long meta = f.size() - f.properties().dataSize();
    assertThat(cost.bytesRead()).as("seed " + seed + ": each byte read once").isEqualTo(meta);
    before = store.stats();
    assertThat(reader.get("k00123456a".getBytes())).isNull();
    assertThat(reader.get("k00012345".getBytes())).isEqualTo(entries.get(12345));
    assertThat(since(before).gets()).isLessThanOrEqualTo(1);
  }

  @Test
  void scansReadOneBlockPerRequestOrManyWithReadahead() {
    long seed = 905;
    Model model = randomModel(seed, 5000, 200);
    TableFile f = write("sstable/000/6.sst", model, TableOptions.defaults());
    long blocks = f.properties().dataBlockCount();
    TableReader reader = open(f, new MapBlockCache());

    RequestStats before = store.stats();
    assertThat(readAll(reader.iterator(new ScanOptions(false, 0))))
        .containsExactlyElementsOf(model.entries());
    assertThat(since(before).gets()).as("seed " + seed).isEqualTo(blocks);

    int readahead = 256 << 10;
    before = store.stats();
    assertThat(readAll(reader.iterator(ScanOptions.sequential(readahead))))
        .containsExactlyElementsOf(model.entries());
    RequestStats cost = since(before);
    long dataSize = f.properties().dataSize();
    assertThat(cost.gets())
        .as("seed " + seed + ": " + dataSize + " bytes of data in " + blocks + " blocks")
        .isLessThanOrEqualTo(dataSize / (readahead - 2L * TableOptions.DEFAULT_BLOCK_SIZE) + 1);
    assertThat(cost.bytesRead()).as("seed " + seed).isEqualTo(dataSize);

    // A scan that fills the cache makes the next scan free.
    readAll(reader.iterator());
    before = store.stats();
    readAll(reader.iterator());
    assertThat(since(before).total()).isZero();
  }
}
