package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.TailBatch;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Writer#flushAsync()} around the edges (empty cuts, failures, fences), the {@code
 * newestVersionOnly} flush, and write-through: reading what the writer flushed costs no request.
 */
class FlushAsyncTest {
  private static final WriterOptions WO =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withFlushRetries(0);

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The failure {@code f} completed with (waiting for it), as an {@link IsleException}. */
  static IsleException failureOf(CompletableFuture<Long> f) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.get(1, TimeUnit.MINUTES));
    assertThat(e.getCause()).isInstanceOf(IsleException.class);
    return (IsleException) e.getCause();
  }

  @Test
  void aCutWithNothingWrittenIsTheHead() throws Exception {
    try (IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults());
        Writer w = db.openWriter(WO)) {
      CompletableFuture<Long> empty = w.flushAsync();
      assertThat(empty).isCompletedWithValue(w.lastCommittedVersion());
      w.put(b("a"), b("1"));
      long v = w.flushAsync().get(1, TimeUnit.MINUTES);
      assertThat(v).isGreaterThan(empty.get());
      assertThat(w.flushAsync()).isCompletedWithValue(v);
    }
  }

  @Test
  void aFailedFlushFailsItsCutEveryOutstandingCutAndTheWriter() throws Exception {
    // The fault is meant for cut 1's table, so it names it: two flush threads upload at once, and
    // a plain failNext(UPLOAD, 1) goes to whichever completion comes first, often cut 2's (then
    // cut 1 rightly commits). Table uploads complete only once cut 2 is made, so cut 2 is still
    // outstanding when cut 1 fails.
    CompletableFuture<String> firstTable = new CompletableFuture<>();
    CountDownLatch laterCutMade = new CountDownLatch(1);
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(
                new HookedObjectStore(
                    new InMemoryObjectStore(),
                    (op, phase, name) -> {
                      if (op == HookedObjectStore.Op.UPLOAD_START) {
                        firstTable.complete(name);
                      }
                    }))
            .latency(Operation.UPLOAD, Duration.ofMillis(1))
            .sleeper(d -> laterCutMade.await())
            .build();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      w.put(b("a"), b("1"));
      CompletableFuture<Long> first = w.flushAsync();
      store.failNext(Operation.UPLOAD, 1, firstTable.get(1, TimeUnit.MINUTES)::equals);
      w.put(b("b0"), b("2"));
      CompletableFuture<Long> second = w.flushAsync();
      laterCutMade.countDown();
      // Two frozen memtables wait at most (maxImmutableMemtables): the next put waits for cut 1's
      // flush, which fails, and is refused.
      assertThatThrownBy(() -> w.put(b("b1"), b("2"))).hasMessageContaining("background flush");
      IsleException f = failureOf(first);
      assertThat(f.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE);
      assertThat(f).hasMessageContaining("background flush");
      assertThat(failureOf(second)).as("the outstanding cut").hasMessage(f.getMessage());
      assertThat(failureOf(w.flushAsync())).hasMessage(f.getMessage());
      assertThatThrownBy(() -> w.put(b("c"), b("3"))).hasMessageContaining(f.getMessage());
      assertThatThrownBy(w::flush).isInstanceOf(IsleException.class);
      assertThat(new Manifest(store).loadLatest().lastSeq())
          .as("nothing of the failed cuts was committed")
          .isZero();
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }

  @Test
  void aFencedWritersCutFailsWithFencedException() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        IsleDB other = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      w.put(b("a"), b("1"));
      w.flush();
      try (Writer newer = other.openWriter(WO)) {
        w.put(b("b"), b("2"));
        IsleException f = failureOf(w.flushAsync());
        assertThat(f).isInstanceOf(FencedException.class).hasMessageContaining("1 accepted write");
        assertThat(newer.flushAsync()).isCompleted();
      }
      assertThatThrownBy(w::close).isInstanceOf(FencedException.class);
    }
  }

  @Test
  void aClosedWritersCutFailsWithClosed() {
    try (IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      w.close();
      assertThat(failureOf(w.flushAsync()).kind()).isEqualTo(IsleException.Kind.CLOSED);
    }
  }

  /** Entries of the newest table and the changes a tailing reader sees, for one flush. */
  private record Flushed(long entries, List<String> changes) {}

  private Flushed flushOverwrites(WriterOptions wo) throws Exception {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(wo)) {
      w.put(b("k1"), b("old"));
      w.put(b("k2"), b("x"));
      w.put(b("k1"), b("new"));
      w.delete(b("k2"));
      w.put(b("k3"), b("a"), Duration.ofHours(1));
      w.put(b("k3"), b("b"));
      long v = w.flushAsync().get(1, TimeUnit.MINUTES);
      ManifestState s = new Manifest(store).loadLatest();
      assertThat(s.seq()).isEqualTo(v);
      long entries = s.l0().stream().mapToLong(SstMeta::entries).sum();
      List<String> changes = new ArrayList<>();
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        TailBatch batch = t.poll(t.earliest(), 100);
        for (Change c : batch.changes()) {
          changes.add(
              new String(c.key(), StandardCharsets.UTF_8)
                  + (c.type() == Change.Type.DELETE
                      ? " deleted"
                      : "=" + new String(c.value(), StandardCharsets.UTF_8)));
        }
      }
      try (io.isledb.Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("k1"))).hasValue(b("new"));
        assertThat(r.get(b("k2"))).isEmpty();
        assertThat(r.get(b("k3"))).hasValue(b("b"));
      }
      return new Flushed(entries, changes);
    }
  }

  @Test
  void newestVersionOnlyDropsOlderVersionsOfAKeyFromTheTableAndTheTail() throws Exception {
    Flushed all = flushOverwrites(WO);
    assertThat(all.entries()).as("default: every version is flushed").isEqualTo(6);
    assertThat(all.changes()).hasSize(6);

    Flushed newest = flushOverwrites(WO.withNewestVersionOnly(true));
    assertThat(newest.entries()).isEqualTo(3);
    assertThat(newest.changes()).containsExactlyInAnyOrder("k1=new", "k2 deleted", "k3=b");
  }

  /**
   * GETs of reading every key of the writer's head through its view, which reads the writer's own
   * tables (write-through).
   */
  private long getsToReadBack(WriterOptions wo) {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(wo)) {
      for (int i = 0; i < 6_000; i++) {
        w.put(b(String.format("key-%06d", i)), new byte[64]);
      }
      w.flush();
      ManifestState head = new Manifest(store).loadLatest();
      assertThat(head.l0().size()).as("several tables").isGreaterThan(3);
      RequestStats before = store.stats();
      try (io.isledb.ReadView v = w.view()) {
        for (int i = 0; i < 6_000; i++) {
          assertThat(v.get(b(String.format("key-%06d", i)))).isPresent();
        }
      }
      return store.stats().minus(before).gets();
    }
  }

  /**
   * GETs of reading every key through a reader that reopens the closed writer's cache directory (a
   * restore on the same machine: no download).
   */
  private long getsToReadThroughTheWritersDirectory(WriterOptions wo, Path cache) {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      try (Writer w = db.openWriter(wo)) {
        for (int i = 0; i < 6_000; i++) {
          w.put(b(String.format("key-%06d", i)), new byte[64]);
        }
      }
      try (io.isledb.Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
        RequestStats before = store.stats();
        for (int i = 0; i < 6_000; i++) {
          assertThat(r.get(b(String.format("key-%06d", i)))).isPresent();
        }
        return store.stats().minus(before).gets();
      }
    }
  }

  @Test
  void aReaderOnTheWritersCacheDirectoryDownloadsNothing() {
    WriterOptions small = WO.withMemtableSize(64 * 1024);
    Path cache = dir.resolve("reopened");
    assertThat(
            getsToReadThroughTheWritersDirectory(
                small.withCache(ReaderOptions.defaults().withCacheDir(cache)), cache))
        .isZero();
    Path empty = dir.resolve("never-written");
    assertThat(
            getsToReadThroughTheWritersDirectory(
                small.withCache(ReaderOptions.defaults().withCacheDir(empty).withDiskCacheBytes(0)),
                empty))
        .as("without write-through the same reads go to storage")
        .isPositive();
  }

  @Test
  void tablesTheWriterFlushedAreReadBackWithoutARequest() {
    WriterOptions small = WO.withMemtableSize(64 * 1024);
    assertThat(getsToReadBack(small.withCache(ReaderOptions.defaults().withCacheDir(dir))))
        .isZero();
    assertThat(getsToReadBack(small.withCache(ReaderOptions.defaults().withDiskCacheBytes(0))))
        .as("without write-through the same reads go to storage")
        .isPositive();
  }
}
