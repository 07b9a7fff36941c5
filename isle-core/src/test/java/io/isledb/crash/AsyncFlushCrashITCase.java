package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.AsyncFlushChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of {@code flushAsync} (issue 10): a writer JVM cuts after every batch without
 * waiting for earlier cuts, printing an ACK when a cut's future completes; the test SIGKILLs it
 * after a few ACKs or at an exact step of a flush (mid-upload, before or after the log append).
 * Then: nothing whose future completed is lost (the last committed batch is at least the highest
 * acknowledged one), nothing is partially visible (the contents are exactly the fold of batches
 * 1..M), and every acknowledged version holds exactly the batches cut before it.
 */
class AsyncFlushCrashITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void asyncFlushesOnLocalFilesSurviveSigkill() {
    run(StoreSpec.local(dir, "async-crash"), Seeds.seed(10_301L), Seeds.longRun() ? 60 : 8);
  }

  @Test
  void asyncFlushesOnS3SurviveSigkill() {
    run(StoreSpec.s3(S3, "async-crash"), Seeds.seed(10_302L), Seeds.longRun() ? 30 : 4);
  }

  private static KillPoint choose(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> null; // after some ACKs, at an uncontrolled point
      case 1 -> KillPoint.parse("UPLOAD_WRITE:AFTER:sstable/:" + r.nextInt(8));
      case 2 -> KillPoint.parse("CREATE_IF_ABSENT:BEFORE:manifest/log/:" + (2 + r.nextInt(4)));
      default -> KillPoint.parse("CREATE_IF_ABSENT:AFTER:manifest/log/:" + (2 + r.nextInt(4)));
    };
  }

  private void run(StoreSpec spec, long seed, int iterations) {
    Random rnd = new Random(seed);
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    long committed = 0;
    for (int it = 0; it < iterations; it++) {
      KillPoint point = choose(rnd);
      int acks = 1 + rnd.nextInt(5);
      String ctx =
          "seed "
              + seed
              + ", iteration "
              + it
              + " ("
              + (point == null ? "after " + acks + " ACKs" : "at " + point)
              + ")";
      List<String> args = new ArrayList<>();
      args.add("--store=" + spec.encode());
      args.add("--seed=" + seed);
      if (point != null) {
        args.add("--kill=" + point);
      }
      List<ChildJvm.Marker> acked;
      long lastCut;
      try (ChildJvm child = ChildJvm.start("async-flush-crash", AsyncFlushChild.class, args)) {
        ctx += ", child log " + child.logFile();
        assertThat(child.await("START", WAIT).longField(0)).as(ctx).isEqualTo(committed);
        if (point == null) {
          for (int i = 0; i < acks; i++) {
            child.await("ACK", WAIT);
          }
        } else {
          child.await("PAUSED", WAIT);
        }
        child.kill();
        acked = child.markers("ACK");
        ChildJvm.Marker cut = child.last("CUT");
        lastCut = cut == null ? committed : cut.longField(0);
        assertThat(child.markers("CUT_FAILED")).as(ctx).isEmpty();
      }
      long maxAcked = committed;
      for (ChildJvm.Marker a : acked) {
        maxAcked = Math.max(maxAcked, a.longField(0));
      }
      try (ObjectStore store = spec.open();
          IsleDB db =
              IsleDB.open(store, ManifestStoreSpec.current().options().withSnapshotEvery(4));
          Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
        long m = work.committedBatch(r);
        assertThat(m)
            .as("%s: nothing acknowledged is lost", ctx)
            .isBetween(maxAcked, Math.max(maxAcked, lastCut));
        assertThat(work.diff(work.scan(r), m))
            .as("%s: contents must equal batches 1..%d exactly", ctx, m)
            .isNull();
        for (ChildJvm.Marker a : acked.subList(Math.max(0, acked.size() - 3), acked.size())) {
          try (ReadView v = r.openVersion(a.longField(1))) {
            assertThat(work.committedBatch(v))
                .as("%s: the version of cut %s", ctx, a)
                .isEqualTo(a.longField(0));
            assertThat(work.diff(work.scan(v), a.longField(0)))
                .as("%s: version of %s", ctx, a)
                .isNull();
          }
        }
        committed = m;
      }
    }
  }
}
