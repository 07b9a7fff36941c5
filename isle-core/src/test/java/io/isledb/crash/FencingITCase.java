package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.FencedException;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.WriterChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing (issue 3): writers on one prefix, in separate JVMs and in threads, each newer one fencing
 * the older. Each writer has its own key range ({@link BatchWorkload} with its own prefix), so the
 * final state tells exactly which of its batches became visible: every acknowledged batch, and not
 * one write of a fenced writer after its last acknowledgement.
 */
class FencingITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path cache;

  private static WriterOptions writerOptions() {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withMemtableSize(16L << 20)
        .withBlobThreshold(4096)
        .withBlockSize(1024);
  }

  /**
   * A chain of writer processes alternating between two key ranges: each one starts while the
   * previous one is flushing batch after batch, fences it at whatever point of its flush cycle it
   * happens to be, and continues its own range from that range's last acknowledged batch.
   */
  @Test
  void newerWriterProcessFencesTheOlderOne() {
    long seed = Seeds.seed(3_303L);
    Random rnd = new Random(seed);
    StoreSpec spec = StoreSpec.s3(S3, "fencing-jvm");
    String[] prefixes = {"a/", "b/"};
    Map<String, BatchWorkload> work = new HashMap<>();
    Map<String, Long> acked = new HashMap<>();
    for (String p : prefixes) {
      work.put(p, BatchWorkload.standard(seed, p));
      acked.put(p, 0L);
    }
    int rounds = Seeds.longRun() ? 10 : 2;
    List<ChildJvm> all = new ArrayList<>();
    try {
      ChildJvm prev = null;
      String prevPrefix = null;
      for (int r = 0; r < rounds; r++) {
        String prefix = prefixes[r % 2];
        String ctx = "seed " + seed + ", round " + r;
        ChildJvm child =
            ChildJvm.start(
                "fencing-writer",
                WriterChild.class,
                List.of("--store=" + spec.encode(), "--seed=" + seed, "--prefix=" + prefix));
        all.add(child);
        assertThat(child.await("START", WAIT).longField(0))
            .as("%s: a new writer of %s resumes after the last acknowledged batch", ctx, prefix)
            .isEqualTo(acked.get(prefix));
        child.await("OPENED", WAIT);
        if (prev != null) {
          checkFenced(prev, work.get(prevPrefix), ctx + ", " + prev.logFile());
          // Only from here on the next child of prevPrefix may start.
          acked.put(prevPrefix, prev.markers("FENCED").get(0).longField(0));
        }
        // Let it flush a little, so the next fence lands somewhere in the middle of its work.
        int wait = 1 + rnd.nextInt(3);
        for (int i = 0; i < wait; i++) {
          child.await("ACK", WAIT);
        }
        prev = child;
        prevPrefix = prefix;
      }
      prev.send("STOP");
      acked.put(prevPrefix, prev.await("DONE", WAIT).longField(0));
      assertThat(prev.awaitExit(WAIT)).isZero();
    } finally {
      all.forEach(ChildJvm::close);
    }
    try (ObjectStore store = spec.open();
        Reader r =
            IsleDB.openReader(
                store,
                ReaderOptions.defaults().withCacheDir(cache),
                ManifestStoreSpec.current().options())) {
      for (String p : prefixes) {
        BatchWorkload w = work.get(p);
        assertThat(w.committedBatch(r))
            .as("seed %d: last visible batch of %s", seed, p)
            .isEqualTo(acked.get(p));
        assertThat(w.diff(w.scan(r), acked.get(p)))
            .as("seed %d: range %s equals its acknowledged batches", seed, p)
            .isNull();
      }
    }
  }

  /**
   * The fenced process reports FencedException from its next flush, naming the writes it loses (the
   * batch it was flushing: its puts plus the marker), and its close fails the same way.
   */
  private static void checkFenced(ChildJvm prev, BatchWorkload work, String ctx) {
    ChildJvm.Marker fenced = prev.await("FENCED", WAIT);
    long lastAcked = fenced.longField(0);
    ChildJvm.Marker lastAck = prev.last("ACK");
    long expected =
        lastAck != null ? lastAck.longField(0) : prev.markers("START").get(0).longField(0);
    assertThat(lastAcked).as("%s: FENCED reports the last ACK", ctx).isEqualTo(expected);
    int lost = work.batch(lastAcked + 1).size() + 1;
    assertThat(fenced.field(1))
        .as("%s: the exception names the writes lost", ctx)
        .contains(lost + "_accepted_writes_that_were_not_yet_flushed_are_lost");
    assertThat(prev.awaitExit(WAIT)).as("%s: fenced writer exit code", ctx).isZero();
    assertThat(prev.markers("CLOSE_AFTER_FENCE_SUCCEEDED"))
        .as("%s: close of a fenced writer fails", ctx)
        .isEmpty();
  }

  /**
   * Writers in threads of one JVM (each its own {@link IsleDB}, as separate processes would be)
   * fence each other in a loop: whenever one is fenced, it reopens and continues, until it has
   * acknowledged its number of batches. Every thread's first writer waits until all first writers
   * are open, so the older ones are fenced for certain. Whenever a writer opens, its range must
   * show exactly its acknowledged batches; at the end all ranges must.
   */
  @Test
  void writersInThreadsFenceEachOtherWithoutLosingOrLeakingWrites() throws Exception {
    long seed = Seeds.seed(3_404L);
    int threads = 3;
    long batchesPerThread = Seeds.longRun() ? 300 : 5;
    StoreSpec spec = StoreSpec.s3(S3, "fencing-threads");
    Map<Integer, Long> acked = new ConcurrentHashMap<>();
    AtomicInteger fences = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    CyclicBarrier firstWritersOpen = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        acked.put(id, 0L);
        futures.add(
            pool.submit(
                () -> {
                  BatchWorkload work = BatchWorkload.standard(seed + id, "t" + id + "/");
                  String ctx = "seed " + seed + ", thread " + id;
                  go.await();
                  try (ObjectStore store = spec.open();
                      IsleDB db =
                          IsleDB.open(
                              store, ManifestStoreSpec.current().options().withSnapshotEvery(8))) {
                    boolean first = true;
                    while (acked.get(id) < batchesPerThread) {
                      try (Reader r =
                          db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
                        assertThat(work.committedBatch(r))
                            .as("%s: visible batches before reopening", ctx)
                            .isEqualTo(acked.get(id));
                      }
                      Writer w = db.openWriter(writerOptions());
                      if (first) {
                        first = false;
                        // Once every first writer is open, all but the newest are fenced.
                        firstWritersOpen.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                      }
                      try {
                        while (acked.get(id) < batchesPerThread) {
                          long b = acked.get(id) + 1;
                          work.write(w, b);
                          w.flush();
                          acked.put(id, b);
                        }
                        w.close();
                      } catch (FencedException e) {
                        fences.incrementAndGet();
                        assertThatThrownBy(w::close).isInstanceOf(FencedException.class);
                      }
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        // A safety bound only: generous per batch, never part of what the test asserts.
        f.get(WAIT.toMillis() + batchesPerThread * 2_000L, TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "fencing threads: seed %d: %s batches, %d fences%n", seed, acked, fences.get());
    assertThat(fences.get()).as("seed %d: writers fenced", seed).isPositive();
    try (ObjectStore store = spec.open();
        Reader r =
            IsleDB.openReader(
                store,
                ReaderOptions.defaults().withCacheDir(cache),
                ManifestStoreSpec.current().options())) {
      for (int t = 0; t < threads; t++) {
        BatchWorkload work = BatchWorkload.standard(seed + t, "t" + t + "/");
        assertThat(work.committedBatch(r))
            .as("seed %d: thread %d's last visible batch", seed, t)
            .isEqualTo(acked.get(t));
        assertThat(work.diff(work.scan(r), acked.get(t)))
            .as("seed %d: thread %d's range", seed, t)
            .isNull();
      }
    }
  }
}
