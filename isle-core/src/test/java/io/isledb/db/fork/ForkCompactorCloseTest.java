package io.isledb.db.fork;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fork's compactor starts rewriting the borrowed tables as soon as it starts (what a state
 * backend restoring by fork does); the database is closed while that compaction's upload is in
 * flight. Close must return only after the run ended, the run must give up before its manifest
 * append (the database is closing: nothing may be committed for it any more), and no object of the
 * fork may be written after close returned. Deterministic: the upload is held by a hook and
 * released once close has begun.
 */
class ForkCompactorCloseTest {
  private static final long SEED = 1_300_131L;
  private static final long WAIT_SECONDS = 60;

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);

  private DBOptions dbo(String name) {
    return DBOptions.defaults()
        .withClock(clock)
        .withIdSource(Ids.seededSource(SEED * 31 + name.hashCode()))
        .withGcGracePeriod(Duration.ofMinutes(10));
  }

  @Test
  void closeAwaitsTheRunningRewriteWhichCommitsNothingAndNothingIsWrittenAfter() throws Exception {
    InMemoryObjectStore root = new InMemoryObjectStore(clock);
    ObjectStore src = root.sibling("db-src");
    ObjectStore forkRaw = root.sibling("db-fork");
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Queue<String> writes = new ConcurrentLinkedQueue<>();
    HookedObjectStore.Hook hook =
        (op, phase, name) -> {
          boolean write =
              op == Op.PUT
                  || op == Op.CREATE_IF_ABSENT
                  || op == Op.UPLOAD_COMPLETE
                  || op == Op.DELETE;
          if (!write) {
            return;
          }
          if (phase == Phase.BEFORE
              && op == Op.UPLOAD_COMPLETE
              && name.startsWith(ManifestPaths.SST_DIR)
              && Thread.currentThread().getName().contains("compaction")
              && held.getCount() > 0) {
            held.countDown();
            await(release);
          }
          if (phase == Phase.AFTER) {
            writes.add(op + " " + name);
          }
        };
    try (IsleResources resources = IsleResources.create(IsleResourcesOptions.defaults());
        IsleDB source = IsleDB.open(src, dbo("src"))) {
      ForkTestData.write(source, new Random(SEED));
      source.pin("cp-1", source.currentVersion());
      ObjectStore forkStore = new HookedObjectStore(forkRaw, hook);
      IsleDB.fork(forkStore, List.of(ForkSource.ofPin("db-src", "cp-1", null, null)), dbo("fork"));

      IsleDB fork = IsleDB.open(forkStore, dbo("fork"), resources);
      Writer writer = fork.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
      Compactor compactor = fork.openCompactor(CompactorOptions.defaults());
      long before = fork.currentVersion();
      compactor.start(); // the first look rewrites the borrowed tables at once
      assertThat(held.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("rewrite uploading").isTrue();

      List<String> afterClose = new ArrayList<>();
      CountDownLatch closed = new CountDownLatch(1);
      Thread closer =
          new Thread(
              () -> {
                compactor.close();
                writes.add("CLOSED");
                closed.countDown();
              },
              "closer");
      closer.start();
      Awaiting.until(
          ((io.isledb.db.Resource) compactor)::isClosed,
          Duration.ofSeconds(WAIT_SECONDS),
          () -> "close begun");
      Awaiting.untilEndedOrInside(closer, "awaitStopped", Duration.ofSeconds(WAIT_SECONDS));
      assertThat(closed.getCount()).as("close returned while its run uploads").isEqualTo(1);
      release.countDown();
      assertThat(closed.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("close returned").isTrue();
      closer.join();

      boolean seen = false;
      for (String w : writes) {
        if (seen) {
          afterClose.add(w);
        }
        seen |= w.equals("CLOSED");
      }
      assertThat(afterClose).as("objects written after close returned").isEmpty();
      assertThat(fork.currentVersion())
          .as("the closed compactor committed nothing (writes: %s)", writes)
          .isEqualTo(before);
      assertThat(names(forkRaw, "manifest/leases/")).as("compaction leases left").isEmpty();

      writer.close();
      fork.close();
      forkStore.close();
    }
  }

  private static List<String> names(ObjectStore store, String prefix) {
    List<String> out = new ArrayList<>();
    for (Iterator<ObjectInfo> it = store.list(prefix); it.hasNext(); ) {
      out.add(it.next().name());
    }
    return out;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the upload");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
