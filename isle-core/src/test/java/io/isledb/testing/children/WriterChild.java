package io.isledb.testing.children;

import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildSide;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.StoreSpec;
import java.time.Duration;
import java.util.Map;

/**
 * A writer process for crash and fencing tests. It reads the last committed batch {@code M} of its
 * {@link BatchWorkload} (the marker key), opens the writer (fencing every earlier one), then writes
 * batches {@code M+1, M+2, ...}, flushing after each and printing {@code @@ACK <batch> <version>}
 * once the flush returned. Markers: {@code START <M>}, {@code OPENED <version>}, {@code ACK},
 * {@code FENCED <last acked batch>} (then it exits 0), {@code DONE <last batch>}, and {@code PAUSED
 * ...} at a {@link KillPoint}.
 *
 * <p>Arguments: {@code --store} ({@link StoreSpec#encode()}), {@code --seed}, {@code --prefix} (key
 * prefix, default {@code w/}), {@code --kill} (a {@link KillPoint}, optional), {@code --batches}
 * (stop after that many, default unlimited), {@code --snapshotEvery} (default 4), {@code
 * --blobThreshold} (default 4096), {@code --graceMillis} (default 10 minutes).
 */
public final class WriterChild {
  private WriterChild() {}

  public static void main(String[] argv) {
    ChildSide.run(argv, WriterChild::run);
  }

  static DBOptions dbOptions(Map<String, String> args) {
    return ManifestStoreSpec.current()
        .options()
        .withSnapshotEvery(ChildSide.intArg(args, "snapshotEvery", 4))
        .withGcGracePeriod(Duration.ofMillis(ChildSide.longArg(args, "graceMillis", 600_000)))
        .withLogRetention(
            Duration.ofMillis(ChildSide.longArg(args, "logRetentionMillis", 3_600_000)));
  }

  static ObjectStore openStore(Map<String, String> args) {
    ObjectStore store = StoreSpec.decode(ChildSide.arg(args, "store")).open();
    String kill = args.get("kill");
    return kill == null ? store : new HookedObjectStore(store, KillPoint.parse(kill).hook());
  }

  private static void run(Map<String, String> args) {
    long seed = Long.parseLong(ChildSide.arg(args, "seed"));
    BatchWorkload work = BatchWorkload.standard(seed, ChildSide.arg(args, "prefix", "w/"));
    long batches = ChildSide.longArg(args, "batches", Long.MAX_VALUE);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(16L << 20)
            .withBlobThreshold(ChildSide.intArg(args, "blobThreshold", 4096))
            .withBlockSize(1024);
    try (ObjectStore store = openStore(args);
        IsleDB db = IsleDB.open(store, dbOptions(args))) {
      long m;
      try (Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
        m = work.committedBatch(r);
      }
      ChildSide.mark("START", m);
      Writer w = db.openWriter(wo);
      ChildSide.mark("OPENED", w.lastCommittedVersion());
      long acked = m;
      try {
        for (long b = m + 1; b - m <= batches; b++) {
          work.write(w, b);
          w.flush();
          acked = b;
          ChildSide.mark("ACK", b, w.lastCommittedVersion());
          if ("STOP".equals(ChildSide.pollCommand())) {
            break;
          }
        }
        w.close();
      } catch (FencedException e) {
        ChildSide.mark("FENCED", acked, e.getMessage().replace(' ', '_'));
        try {
          w.close();
          ChildSide.mark("CLOSE_AFTER_FENCE_SUCCEEDED");
        } catch (FencedException again) {
          // a fenced writer stays failed
        }
        return;
      }
      ChildSide.mark("DONE", acked);
    }
  }
}
