package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Manifest;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Memtables are built and uploaded by several flush threads at once, but committed strictly in
 * memtable order: table sequence ranges increase with the log position, and a failed flush fails
 * the writer without any later memtable being committed.
 */
class WriterFlushPipelineTest {
  private static final WriterOptions SMALL =
      WriterOptions.defaults().withMemtableSize(64 * 1024).withFlushInterval(Duration.ZERO);

  private static byte[] key(int i) {
    return String.format("key-%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void concurrentUploadsCommitInMemtableOrder() {
    // Slow uploads, so several memtables are in flight at once.
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .latency(Operation.UPLOAD, Duration.ofMillis(5))
            .build();
    int n = 20_000;
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      try (Writer w = db.openWriter(SMALL)) {
        for (int i = 0; i < n; i++) {
          w.put(key(i % 5_000), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        w.flush();
      }
      Manifest manifest = new Manifest(store);
      long lastSeq = 0;
      int adds = 0;
      for (long slot = 1; ; slot++) {
        Optional<Edit> e = manifest.readEdit(slot);
        if (e.isEmpty()) {
          break;
        }
        if (e.get().change() instanceof Edit.AddTables add) {
          assertThat(add.tables().get(0).minSeq()).isGreaterThan(lastSeq);
          lastSeq = add.tables().get(add.tables().size() - 1).maxSeq();
          adds++;
        }
      }
      assertThat(adds).isGreaterThan(10);
      assertThat(lastSeq).isEqualTo(n);
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        for (int i = n - 5_000; i < n; i++) {
          assertThat(r.get(key(i % 5_000))).hasValue(("v" + i).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  @Test
  void aFailedFlushFailsTheWriterAndNothingLaterIsCommitted() {
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .latency(Operation.UPLOAD, Duration.ofMillis(2))
            .build();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(SMALL.withFlushRetries(0));
      for (int i = 0; i < 2_000; i++) {
        w.put(key(i), new byte[100]);
      }
      w.flush();
      long committed = w.lastCommittedVersion();
      store.failNext(Operation.UPLOAD, 1);
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  w.put(key(i), new byte[100]);
                }
                w.flush();
              })
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("background flush");
      assertThatThrownBy(() -> w.put(key(1), new byte[1])).isInstanceOf(IsleException.class);
      // Only memtables frozen before the failed one may have been committed after it started.
      Manifest manifest = new Manifest(store);
      long head = committed;
      while (manifest.readEdit(head + 1).isPresent()) {
        head++;
      }
      assertThat(head - committed).isLessThanOrEqualTo(2);
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }
}
