package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.RollbackChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of a rollback (issue 10 item 5): batches 1..N are committed with a pin after batch
 * P; a child JVM opens the writer restored to that pin and is SIGKILLed at an exact step (before
 * the pin is read, before its fence, before the restore edit, right after the restore edit was
 * created) or after it reported success. Then the database holds exactly batches 1..N (the old
 * head: nothing acknowledged is lost) or exactly batches 1..P (the rollback, whole), never anything
 * in between; a rollback reported done is always there; opening restored again completes it.
 */
class RollbackCrashITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String[] POINTS = {
    "GET:BEFORE:manifest/pins/:0",
    "CREATE_IF_ABSENT:BEFORE:manifest/log/:0",
    "CREATE_IF_ABSENT:BEFORE:manifest/log/:1",
    "CREATE_IF_ABSENT:AFTER:manifest/log/:1",
    "" // no kill point: killed after RESTORED
  };

  @TempDir Path dir;

  @Test
  void rollbackOnLocalFilesIsWholeOrNotAtAllAfterSigkill() {
    for (int i = 0; i < POINTS.length; i++) {
      run(StoreSpec.local(dir, "rollback-crash-" + i), Seeds.seed(10_501L + i), POINTS[i]);
    }
  }

  @Test
  void rollbackOnS3IsWholeOrNotAtAllAfterSigkill() {
    Random r = new Random(Seeds.seed(10_511L));
    int i = 1 + r.nextInt(3);
    run(StoreSpec.s3(S3, "rollback-crash-" + i), Seeds.seed(10_511L), POINTS[i]);
  }

  private static WriterOptions wo() {
    return WriterOptions.defaults()
        .withFlushInterval(Duration.ZERO)
        .withCache(ReaderOptions.defaults().withDiskCacheBytes(0));
  }

  private void run(StoreSpec spec, long seed, String point) {
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    Random rnd = new Random(seed);
    int n = 4 + rnd.nextInt(4);
    int p = 1 + rnd.nextInt(n - 1);
    String ctx =
        "seed " + seed + ", batches " + n + ", pin after " + p + ", kill at '" + point + "'";
    DBOptions dbo = ManifestStoreSpec.current().options().withSnapshotEvery(4);
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo())) {
      for (int b = 1; b <= n; b++) {
        work.write(w, b);
        w.flush();
        if (b == p) {
          w.pinHead("cp", PinOptions.defaults());
        }
      }
    }
    boolean restored;
    List<String> args =
        point.isEmpty()
            ? List.of("--store=" + spec.encode(), "--pin=cp")
            : List.of("--store=" + spec.encode(), "--pin=cp", "--kill=" + KillPoint.parse(point));
    try (ChildJvm child = ChildJvm.start("rollback-crash", RollbackChild.class, args)) {
      ctx += ", child log " + child.logFile();
      child.await("START", WAIT);
      child.await(point.isEmpty() ? "RESTORED" : "PAUSED", WAIT);
      child.kill();
      restored = child.last("RESTORED") != null;
    }
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbo)) {
      long m;
      try (Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
        m = work.committedBatch(r);
        assertThat(m)
            .as("%s: the old head or the restored version, nothing else", ctx)
            .isIn((long) n, (long) p);
        if (restored) {
          assertThat(m).as("%s: a rollback reported done is there", ctx).isEqualTo(p);
        }
        assertThat(work.diff(work.scan(r), m)).as("%s: exactly batches 1..%d", ctx, m).isNull();
      }
      // Opening restored again completes (or repeats) the rollback.
      try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
        work.write(w, p + 1);
        w.flush();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0));
          ReadView v = r.snapshot()) {
        assertThat(work.committedBatch(v)).as(ctx).isEqualTo(p + 1);
        assertThat(work.diff(work.scan(v), p + 1)).as("%s: batches 1..%d", ctx, p + 1).isNull();
      }
    }
  }
}
