package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Resource;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two memtables flush at once; one flush fails (the writer fails) while the other's upload is in
 * flight, held by a hook that, like many store clients, does not stop when interrupted. The failed
 * writer's close must return only after that upload ended: nothing of the writer may be written
 * after its close returned.
 */
class WriterCloseAfterFailureTest {
  private static final long WAIT_SECONDS = 60;

  @Test
  void closeOfAFailedWriterAwaitsTheFlushStillUploading() throws Exception {
    AtomicInteger arrivals = new AtomicInteger();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch uploaded = new CountDownLatch(1); // the held upload ended
    Queue<String> writes = new ConcurrentLinkedQueue<>();
    HookedObjectStore.Hook hook =
        (op, phase, name) -> {
          if (op == Op.UPLOAD_COMPLETE
              && phase == Phase.BEFORE
              && name.startsWith(ManifestPaths.SST_DIR)) {
            if (arrivals.incrementAndGet() == 1) {
              Awaiting.latchIgnoringInterrupts(held, Duration.ofSeconds(WAIT_SECONDS));
              throw new IsleException(IsleException.Kind.CORRUPTION, "injected: upload refused");
            }
            held.countDown();
            Awaiting.latchIgnoringInterrupts(release, Duration.ofSeconds(WAIT_SECONDS));
          }
          if (phase == Phase.AFTER
              && (op == Op.PUT || op == Op.CREATE_IF_ABSENT || op == Op.UPLOAD_COMPLETE)) {
            writes.add(op + " " + name);
            if (op == Op.UPLOAD_COMPLETE) {
              uploaded.countDown();
            }
          }
        };
    try (HookedObjectStore store = new HookedObjectStore(new InMemoryObjectStore(), hook);
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
      w.put(b("k1"), b("v1"));
      CompletableFuture<Long> first = w.flushAsync();
      // The failing upload is cut 1's (the first to arrive): the failure fails both cuts at once.
      // Were it cut 2's, cut 1 would go on (and close wait for it), not fail.
      Awaiting.until(
          () -> arrivals.get() == 1, Duration.ofSeconds(WAIT_SECONDS), () -> "cut 1 uploading");
      w.put(b("k2"), b("v2"));
      CompletableFuture<Long> second = w.flushAsync();
      Awaiting.until(
          () -> first.isCompletedExceptionally() && second.isCompletedExceptionally(),
          Duration.ofSeconds(WAIT_SECONDS),
          () -> "the writer failed");
      assertThat(held.getCount()).as("the other flush is uploading").isZero();

      Thread closer =
          new Thread(
              () -> {
                try {
                  w.close();
                } catch (IsleException expected) {
                  // the writer's failure
                }
                writes.add("CLOSED");
              },
              "closer");
      closer.start();
      Awaiting.until(
          () -> ((Resource) w).isClosed(), Duration.ofSeconds(WAIT_SECONDS), () -> "close begun");
      // Either close returned (the defect) or it waits for the upload.
      Awaiting.untilEndedOrInside(closer, "awaitStopped", Duration.ofSeconds(WAIT_SECONDS));
      release.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertThat(closer.isAlive()).as("close returned").isFalse();
      assertThat(uploaded.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("upload ended").isTrue();

      List<String> afterClose = new ArrayList<>();
      boolean seen = false;
      for (String s : writes) {
        if (seen) {
          afterClose.add(s);
        }
        seen |= s.equals("CLOSED");
      }
      assertThat(afterClose).as("written after close returned (all: %s)", writes).isEmpty();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
