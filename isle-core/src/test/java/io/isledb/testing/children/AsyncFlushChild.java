package io.isledb.testing.children;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildSide;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A writer process that checkpoints with {@link Writer#flushAsync()} without waiting: it writes
 * batch after batch of its {@link BatchWorkload}, cuts after each ({@code @@CUT <batch>} once the
 * call returned) and prints {@code @@ACK <batch> <version>} when that cut's future completes, while
 * it is already writing the next batches. Markers as {@link WriterChild} ({@code START}, {@code
 * OPENED}, {@code DONE}, {@code PAUSED} at a kill point, {@code CUT_FAILED} if a future fails).
 *
 * <p>Arguments: as {@link WriterChild} ({@code --store}, {@code --seed}, {@code --kill}, {@code
 * --batches}, {@code --snapshotEvery}, {@code --graceMillis}, {@code --logRetentionMillis}).
 */
public final class AsyncFlushChild {
  private AsyncFlushChild() {}

  public static void main(String[] argv) {
    ChildSide.run(argv, AsyncFlushChild::run);
  }

  private static void run(Map<String, String> args) {
    long seed = Long.parseLong(ChildSide.arg(args, "seed"));
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    long batches = ChildSide.longArg(args, "batches", Long.MAX_VALUE);
    // Memtables far larger than a batch: only the cuts freeze them, so a batch is never split.
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(64L << 20)
            .withBlobThreshold(4096)
            .withBlockSize(1024)
            .withCache(ReaderOptions.defaults().withDiskCacheBytes(0));
    try (ObjectStore store = WriterChild.openStore(args);
        IsleDB db = IsleDB.open(store, WriterChild.dbOptions(args))) {
      long m;
      try (Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
        m = work.committedBatch(r);
      }
      ChildSide.mark("START", m);
      Writer w = db.openWriter(wo);
      ChildSide.mark("OPENED", w.lastCommittedVersion());
      CompletableFuture<Long> last = CompletableFuture.completedFuture(w.lastCommittedVersion());
      for (long b = m + 1; b - m <= batches; b++) {
        work.write(w, b);
        long batch = b;
        last = w.flushAsync();
        ChildSide.mark("CUT", batch);
        last.whenComplete(
            (v, e) -> {
              if (e == null) {
                ChildSide.mark("ACK", batch, v);
              } else {
                ChildSide.mark("CUT_FAILED", batch, String.valueOf(e).replace(' ', '_'));
              }
            });
      }
      last.join();
      w.close();
      ChildSide.mark("DONE", m + batches);
    }
  }
}
