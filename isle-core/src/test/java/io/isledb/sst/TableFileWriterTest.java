package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.storage.InMemoryObjectStore;
import org.junit.jupiter.api.Test;

class TableFileWriterTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();

  @Test
  void writesATableThatReadsBack() {
    long seed = 950;
    Model model = randomModel(seed, 1000, 200);
    TableFile f;
    try (TableFileWriter w =
        TableFileWriter.create(store, "sstable/abc/000001.sst", TableOptions.defaults())) {
      for (Entry e : model.entries()) {
        w.add(e.userKey(), e.seq(), e.kind(), e.expiresAtMillis(), e.value());
      }
      assertThat(w.entryCount()).isEqualTo(model.entries().size());
      assertThat(w.estimatedFileSize()).isPositive();
      assertThat(w.reachedTargetSize()).isFalse();
      f = w.finish();
    }
    assertThat(f.name()).isEqualTo("sstable/abc/000001.sst");
    assertThat(f.size()).isEqualTo(store.stat(f.name()).orElseThrow().size());
    assertThat(f.properties().fileSize()).isEqualTo(f.size());
    try (TableReader r =
        TableReader.open(
            f.name(),
            f.size(),
            new ObjectStoreBlockSource(store, f.name(), f.size()),
            BlockCache.none(),
            1)) {
      assertThat(r.properties()).isEqualTo(f.properties());
      assertThat(readAll(r.iterator()))
          .as("seed " + seed)
          .containsExactlyElementsOf(model.entries());
    }
  }

  @Test
  void closingWithoutFinishingLeavesNothing() {
    try (TableFileWriter w =
        TableFileWriter.create(store, "sstable/abc/000002.sst", TableOptions.defaults())) {
      w.add(bytes("a"), 1, ValueKind.PUT, 0, bytes("v"));
    }
    assertThat(store.stat("sstable/abc/000002.sst")).isEmpty();
  }

  @Test
  void aMissingObjectIsCorruption() {
    BlockSource source = new ObjectStoreBlockSource(store, "sstable/abc/missing.sst", 1000);
    assertThatThrownBy(
            () -> TableReader.open("sstable/abc/missing.sst", 1000, source, BlockCache.none(), 1))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("missing");
  }
}
