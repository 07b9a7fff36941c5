package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.LiveObjects;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.MaintenanceChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash of maintenance roles (issue 4). The test process writes {@link BatchWorkload} batches; a
 * merge compactor or a garbage collector runs in a child JVM and is SIGKILLed at a seeded point:
 * mid-merge (reading inputs), mid-upload of outputs, after publishing outputs or the lease, around
 * the commit; GC mid-deletion of tables, blobs or log edits, before persisting its marks or
 * checkpoint. After every kill the database must read exactly the committed batches. At the end a
 * GC in the test process runs passes (real clock, short grace period) until the object listing
 * equals exactly the live set computed from the manifest ({@link LiveObjects}): nothing the killed
 * processes uploaded, leased or half-deleted may leak.
 */
class MaintenanceCrashITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long GRACE_MILLIS = 1500;

  @TempDir Path dir;
  @TempDir Path cache;

  @Test
  void compactorAndGcKilledOnLocalFilesLoseNothingAndLeakNothing() {
    run(StoreSpec.local(dir, "maint-db"), Seeds.seed(4_101L), Seeds.longRun() ? 60 : 10);
    Convergence.assertNoTemporaryFiles(dir, "seed " + Seeds.seed(4_101L));
  }

  @Test
  void compactorAndGcKilledOnS3LoseNothingAndLeakNothing() {
    run(StoreSpec.s3(S3, "maint-crash"), Seeds.seed(4_202L), Seeds.longRun() ? 20 : 2);
  }

  private record Plan(String role, KillPoint point, int results) {
    @Override
    public String toString() {
      return role
          + (point == null ? " killed after " + results + " results" : " killed at " + point);
    }
  }

  private static Plan compactorPlan(Random r) {
    String p =
        switch (r.nextInt(8)) {
          case 0 -> "GET_RANGE:AFTER:sstable/:" + r.nextInt(3);
          case 1 -> "UPLOAD_START:AFTER:sstable/:0";
          case 2 -> "UPLOAD_WRITE:AFTER:sstable/:" + r.nextInt(8);
          case 3 -> "UPLOAD_COMPLETE:AFTER:sstable/:0";
          case 4 -> "PUT:AFTER:manifest/leases/:0";
          // slot 0 of the child is its fence
          case 5 -> "CREATE_IF_ABSENT:BEFORE:manifest/log/:1";
          case 6 -> "CREATE_IF_ABSENT:AFTER:manifest/log/:1";
          default -> "DELETE:BEFORE:manifest/leases/:0";
        };
    return new Plan("compactor", KillPoint.parse(p), 0);
  }

  private static Plan gcPlan(Random r) {
    String p =
        switch (r.nextInt(8)) {
          case 0, 1 -> "DELETE:BEFORE:sstable/:" + r.nextInt(4);
          case 2 -> "DELETE:BEFORE:blobs/:" + r.nextInt(2);
          case 3 -> "DELETE:BEFORE:manifest/log/:" + r.nextInt(3);
          case 4 -> "PUT:BEFORE:manifest/gc/pending-sst/:" + r.nextInt(20);
          case 5 -> "PUT:BEFORE:manifest/gc/checkpoint:" + r.nextInt(20);
          case 6 -> "CREATE_IF_ABSENT:BEFORE:manifest/snapshots/:0";
          default -> null;
        };
    return new Plan("gc", p == null ? null : KillPoint.parse(p), 3 + r.nextInt(20));
  }

  private DBOptions dbOptions() {
    return ManifestStoreSpec.current()
        .options()
        .withSnapshotEvery(4)
        .withGcGracePeriod(Duration.ofMillis(GRACE_MILLIS))
        .withLogRetention(Duration.ZERO);
  }

  private void run(StoreSpec spec, long seed, int iterations) {
    Random rnd = new Random(seed);
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withBlobThreshold(4096)
            .withBlockSize(1024);
    int exactKills = 0;
    int compactions = 0;
    int gcDeletes = 0;
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbOptions())) {
      Writer writer = db.openWriter(wo);
      long acked = 0;
      for (int it = 0; it < iterations; it++) {
        int n = 3 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          work.write(writer, ++acked);
          writer.flush();
        }
        Plan plan = it % 2 == 0 ? compactorPlan(rnd) : gcPlan(rnd);
        String ctx = "seed " + seed + ", iteration " + it + " (" + plan + ")";
        List<String> args = new ArrayList<>();
        args.add("--store=" + spec.encode());
        args.add("--roles=" + plan.role);
        args.add("--graceMillis=" + GRACE_MILLIS);
        args.add("--logRetentionMillis=0");
        args.add("--targetTableSize=16384");
        args.add("--pauseMillis=50");
        if (plan.point != null) {
          args.add("--kill=" + plan.point);
        }
        String result = plan.role.equals("gc") ? "GC" : "COMPACTED";
        try (ChildJvm child = ChildJvm.start("maint-" + plan.role, MaintenanceChild.class, args)) {
          ctx += ", child log " + child.logFile();
          child.await("READY", WAIT);
          // Until the kill point is reached, or (when it is not reached, or there is none) after
          // the planned number of results.
          int results = 0;
          boolean paused = false;
          int limit = plan.point == null ? plan.results : 30;
          while (results < limit) {
            ChildJvm.Marker m = child.awaitAny(WAIT, "PAUSED", result, "IDLE");
            if (m.kind().equals("PAUSED")) {
              paused = true;
              break;
            }
            if (m.kind().equals("IDLE")) {
              break; // nothing (more) to compact: kill it while idle
            }
            results++;
            if (m.kind().equals("GC") && m.longField(1) > 0) {
              gcDeletes++;
            }
          }
          child.kill();
          compactions += child.markers("COMPACTED").size();
          if (paused) {
            exactKills++;
          }
        }
        verify(spec, work, acked, ctx);
      }
      writer.close();

      // Converge: GC passes (real clock) until the listing is exactly the live set.
      String ctx = "seed " + seed + ", after " + iterations + " kills";
      Convergence.gcUntilLiveSet(db, Duration.ofMillis(GRACE_MILLIS), ctx);
      verify(spec, work, acked, ctx + ", after GC converged");
    }
    // Every compactor child has work (at least three new L0 tables), so it reaches its kill point.
    assertThat(exactKills)
        .as(
            "seed %d: kills at exact protocol points (compactions seen %d, GC passes that deleted %d)",
            seed, compactions, gcDeletes)
        .isGreaterThanOrEqualTo((iterations + 1) / 2);
  }

  private void verify(StoreSpec spec, BatchWorkload work, long acked, String ctx) {
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbOptions());
        Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
      assertThat(work.committedBatch(r)).as("%s: last committed batch", ctx).isEqualTo(acked);
      assertThat(work.diff(work.scan(r), acked))
          .as("%s: contents must equal batches 1..%d", ctx, acked)
          .isNull();
    }
  }
}
