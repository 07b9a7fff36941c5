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
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two cuts flush at once (two flush threads) and the later one's upload fails while the earlier
 * one's is still in flight: the earlier cut's outcome is what really happens to its memtable. It is
 * never reported failed and then committed anyway, and the failure counts as lost only the writes
 * that are.
 */
class FlushFailureOrderTest {
  private static final WriterOptions WO =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withFlushRetries(0);

  /** Holds the first table upload at its completion until released. */
  private final CountDownLatch firstHeld = new CountDownLatch(1);

  private final CountDownLatch releaseFirst = new CountDownLatch(1);
  private final CompletableFuture<String> firstTable = new CompletableFuture<>();
  private volatile boolean failFirstToo;

  @AfterEach
  void release() {
    releaseFirst.countDown(); // never leave a flush thread held
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The first table upload (cut 1's) waits at its completion for {@link #releaseFirst}, then lands
   * (or fails with {@link #failFirstToo}); every other table upload fails.
   */
  private HookedObjectStore store() {
    return new HookedObjectStore(
        new InMemoryObjectStore(),
        (op, phase, name) -> {
          if (op != Op.UPLOAD_COMPLETE || phase != Phase.BEFORE) {
            return;
          }
          if (firstTable.complete(name)) {
            firstHeld.countDown();
            try {
              releaseFirst.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw IsleException.unavailable("interrupted while held", e);
            }
            if (!failFirstToo) {
              return;
            }
          }
          throw IsleException.unavailable("injected fault: upload of " + name + " failed", null);
        });
  }

  /** Cut 1, still uploading, and the failure of cut 2, made after it and failed. */
  private record Cuts(CompletableFuture<Long> first, IsleException secondFailed) {}

  private Cuts cutTwiceAndFailTheSecond(Writer w) throws Exception {
    w.put(b("a"), b("1"));
    CompletableFuture<Long> first = w.flushAsync();
    assertThat(firstHeld.await(1, TimeUnit.MINUTES)).as("cut 1's upload started").isTrue();
    w.put(b("b"), b("2"));
    IsleException f = FlushAsyncTest.failureOf(w.flushAsync());
    assertThat(f).hasMessageContaining("background flush").hasMessageContaining("injected fault");
    return new Cuts(first, f);
  }

  @Test
  void anEarlierCutStillUploadingCommitsAndSaysSoWhenALaterFlushFails() throws Exception {
    HookedObjectStore store = store();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      Cuts cuts = cutTwiceAndFailTheSecond(w);
      IsleException f = cuts.secondFailed();
      assertThat(cuts.first())
          .as("cut 1 is still uploading: a later cut's failure does not decide its outcome")
          .isNotDone();
      assertThat(f)
          .as("only cut 2's write is lost; cut 1's may still commit")
          .hasMessageContaining("1 accepted writes that were not yet flushed are lost");
      assertThatThrownBy(() -> w.put(b("c"), b("3"))).hasMessageContaining(f.getMessage());

      releaseFirst.countDown();
      long v = cuts.first().get(1, TimeUnit.MINUTES);
      ManifestState head = new Manifest(store).loadLatest();
      assertThat(head.seq()).as("cut 1's version is the head").isEqualTo(v);
      assertThat(head.lastSeq()).as("cut 1's write is in, cut 2's is not").isEqualTo(1);
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("a"))).hasValue(b("1"));
        assertThat(r.get(b("b"))).isEmpty();
      }
      assertThat(FlushAsyncTest.failureOf(w.flushAsync())).hasMessage(f.getMessage());
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }

  @Test
  void anEarlierCutFailingAfterALaterOneFailsItselfAndCommitsNothing() throws Exception {
    HookedObjectStore store = store();
    failFirstToo = true;
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WO);
      Cuts cuts = cutTwiceAndFailTheSecond(w);
      releaseFirst.countDown();
      assertThat(FlushAsyncTest.failureOf(cuts.first()))
          .as("every cut fails with the writer's first failure")
          .hasMessage(cuts.secondFailed().getMessage());
      assertThat(new Manifest(store).loadLatest().lastSeq()).isZero();
      assertThatThrownBy(w::close).isInstanceOf(IsleException.class);
    }
  }
}
