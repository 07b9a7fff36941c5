package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.CorruptionException;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A missing table gets the same kind in the reader and the tailing reader: CORRUPTION when the
 * newest version still references it (storage lost a live table), INVALID_ARGUMENT "no longer
 * retained" when it was collected because the version or position read is too old.
 */
class MissingTableKindTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final IsleDB db =
      IsleDB.open(store, DBOptions.defaults().withIdSource(Ids.seededSource(91)));
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> tables() {
    List<String> out = new ArrayList<>();
    store.list(ManifestPaths.SST_DIR).forEachRemaining(i -> out.add(i.name()));
    return out;
  }

  /** One flushed table holding k=v; returns its object name. */
  private String flushOneTable() {
    try (Writer w = db.openWriter(wo)) {
      w.put(b("k"), b("v"));
      w.flush();
    }
    assertThat(tables()).hasSize(1);
    return tables().get(0);
  }

  /** Compacts everything into new tables, then deletes {@code old} as GC would. */
  private void compactAndCollect(String old) {
    try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      c.runOnce();
    }
    assertThat(tables()).as("compaction wrote a new table").hasSize(2).contains(old);
    store.delete(old);
  }

  private static void assertKind(ThrowingCallable call, IsleException.Kind kind, String text) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(IsleException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(text);
  }

  @Test
  void aLiveTableLostFromStorageIsCorruptionForTheReader() {
    String table = flushOneTable();
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      store.delete(table);
      long refreshes = r.stats().refreshes();
      assertThatThrownBy(() -> r.get(b("k")))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining(table + " is missing");
      assertThat(r.stats().refreshes()).as("refreshed before reporting").isEqualTo(refreshes + 1);
      try (ReadView view = r.snapshot()) {
        assertKind(() -> view.get(b("k")), IsleException.Kind.CORRUPTION, table + " is missing");
      }
    }
  }

  @Test
  void aLiveTableLostFromStorageIsCorruptionForTheTailingReader() {
    String table = flushOneTable();
    store.delete(table);
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      assertKind(
          () -> t.poll(TailPosition.start(), 10),
          IsleException.Kind.CORRUPTION,
          table + " is missing");
    }
  }

  @Test
  void aTableCollectedUnderAnOldVersionIsNotRetainedForTheReader() {
    String table = flushOneTable();
    try (Reader r = db.openReader(ReaderOptions.defaults());
        ReadView old = r.snapshot()) {
      compactAndCollect(table);
      assertKind(() -> old.get(b("k")), IsleException.Kind.INVALID_ARGUMENT, "no longer retained");
      assertThat(r.get(b("k"))).as("the reader itself moves on").hasValue(b("v"));
    }
  }

  @Test
  void aTableCollectedUnderAnOldPositionIsNotRetainedForTheTailingReader() {
    String table = flushOneTable();
    compactAndCollect(table);
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      assertKind(
          () -> t.poll(TailPosition.start(), 10),
          IsleException.Kind.INVALID_ARGUMENT,
          "no longer retained");
    }
  }
}
