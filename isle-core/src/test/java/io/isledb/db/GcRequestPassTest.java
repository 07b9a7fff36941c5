package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link GarbageCollector#requestPass()}: a one-off pass on the shared compaction pool, requests
 * merged while one waits, a pending request failed by close.
 */
class GcRequestPassTest {
  private static final IsleResourcesOptions SIZES =
      IsleResourcesOptions.defaults().withCompactionThreads(1).withDiskCacheBytes(0);

  @Test
  void aRequestedPassRunsOnTheSharedPoolAndWaitingRequestsMerge() throws Exception {
    try (IsleResources res = IsleResources.create(SIZES)) {
      IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), res);
      try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
        w.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        w.flush();
      }
      GarbageCollector gc = db.openGarbageCollector(new GcOptions(Duration.ofHours(1)));
      // Occupy the one compaction thread, so that requests wait.
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocking = new CountDownLatch(1);
      ((SharedResourcesImpl) res)
          .compactionScheduler("test-blocker", 1)
          .execute(
              () -> {
                blocking.countDown();
                awaitQuietly(release);
              });
      assertThat(blocking.await(30, TimeUnit.SECONDS)).isTrue();
      long before = ((SharedResourcesImpl) res).runs("isledb-gc");
      CompletableFuture<GcResult> first = gc.requestPass();
      CompletableFuture<GcResult> second = gc.requestPass();
      assertThat(second).isSameAs(first); // merged: one pass serves both
      assertThat(first).isNotDone();
      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isNotNull();
      // One pass, run by the collector's view of the shared compaction pool (which counts it).
      assertThat(((SharedResourcesImpl) res).runs("isledb-gc") - before).isEqualTo(1);
      // After it ran, a new request is a new pass.
      CompletableFuture<GcResult> third = gc.requestPass();
      assertThat(third).isNotSameAs(first);
      assertThat(third.get(30, TimeUnit.SECONDS)).isNotNull();
      gc.close();
      db.close();
    }
  }

  @Test
  void closingFailsAWaitingRequestAndLaterOnesAreRefused() throws Exception {
    try (IsleResources res = IsleResources.create(SIZES)) {
      IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), res);
      GarbageCollector gc = db.openGarbageCollector(new GcOptions(Duration.ofHours(1)));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocking = new CountDownLatch(1);
      ((SharedResourcesImpl) res)
          .compactionScheduler("test-blocker", 1)
          .execute(
              () -> {
                blocking.countDown();
                awaitQuietly(release);
              });
      assertThat(blocking.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<GcResult> pending = gc.requestPass();
      gc.close();
      release.countDown();
      assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IsleException.class);
      assertThatThrownBy(gc::requestPass)
          .isInstanceOf(IsleException.class)
          .satisfies(
              e -> assertThat(((IsleException) e).kind()).isEqualTo(IsleException.Kind.CLOSED));
      db.close();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
