package io.isledb.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.testing.BatchWorkload;
import io.isledb.testing.ChildJvm;
import io.isledb.testing.KillPoint;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.Seeds;
import io.isledb.testing.StoreSpec;
import io.isledb.testing.children.WriterChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the writer (issue 3): a writer in a child JVM writes {@link BatchWorkload}
 * batches, one flush each, printing an ACK after every flush returned; the test SIGKILLs it at a
 * seeded point of its flush cycle, then checks that the database opens, that the last committed
 * batch is the last acknowledged one (or the one in flight, if the kill came after its commit) and
 * that the whole key range equals exactly the fold of the committed batches: nothing acknowledged
 * is lost and no flush is partially visible. The next iteration's writer continues from there.
 *
 * <p>Kill points are either "right after the N-th ACK" (the child runs on, so the kill lands at an
 * uncontrolled point of the next batch) or exact protocol steps reached through a {@link
 * KillPoint}: in the middle of an SST upload, before/after an SST or blob is published,
 * before/after the manifest append, before the snapshot or CURRENT write.
 */
class WriterCrashITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  @TempDir Path cache;

  @Test
  void writerOnLocalFilesSurvivesSigkillAtAnyPoint() {
    run(StoreSpec.local(dir, "crash-db"), Seeds.seed(3_101L), Seeds.longRun() ? 150 : 16);
  }

  @Test
  void writerOnS3SurvivesSigkillAtAnyPoint() {
    run(StoreSpec.s3(S3, "writer-crash"), Seeds.seed(3_202L), Seeds.longRun() ? 60 : 6);
  }

  /** What the verification may expect of the batch in flight at the kill. */
  private enum InFlight {
    NOT_COMMITTED,
    COMMITTED,
    EITHER
  }

  private record Plan(int acks, KillPoint point) {
    @Override
    public String toString() {
      return point == null ? "kill after ACK #" + acks : "kill at " + point;
    }
  }

  private static Plan choose(Random r) {
    return switch (r.nextInt(11)) {
      case 0, 1 -> new Plan(r.nextInt(4), null);
      case 2 -> kp("UPLOAD_WRITE:AFTER:sstable/:" + r.nextInt(12));
      case 3 -> kp("UPLOAD_COMPLETE:BEFORE:sstable/:" + r.nextInt(3));
      case 4 -> kp("UPLOAD_COMPLETE:AFTER:sstable/:" + r.nextInt(3));
      case 5 -> kp("PUT:" + (r.nextBoolean() ? "BEFORE" : "AFTER") + ":blobs/:" + r.nextInt(6));
      // Slot 0 of a child is its fence; later ones are flush commits.
      case 6 -> kp("CREATE_IF_ABSENT:BEFORE:manifest/log/:" + (1 + r.nextInt(3)));
      case 7, 8 -> kp("CREATE_IF_ABSENT:AFTER:manifest/log/:" + r.nextInt(4));
      case 9 -> kp("CREATE_IF_ABSENT:BEFORE:manifest/snapshots/:" + r.nextInt(2));
      default -> kp("PUT:BEFORE:manifest/CURRENT:" + r.nextInt(2));
    };
  }

  private static Plan kp(String s) {
    return new Plan(0, KillPoint.parse(s));
  }

  /** Short grace period and no log retention, so GC can show that no orphan leaks. */
  private static final Duration GRACE = Duration.ofSeconds(2);

  private DBOptions dbOptions() {
    return ManifestStoreSpec.current()
        .options()
        .withSnapshotEvery(4)
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO);
  }

  private List<String> childArgs(StoreSpec spec, long seed, String... extra) {
    List<String> a = new ArrayList<>();
    a.add("--store=" + spec.encode());
    a.add("--seed=" + seed);
    a.add("--snapshotEvery=4");
    a.add("--graceMillis=" + GRACE.toMillis());
    a.add("--logRetentionMillis=0");
    a.addAll(List.of(extra));
    return a;
  }

  private void run(StoreSpec spec, long seed, int iterations) {
    Random rnd = new Random(seed);
    BatchWorkload work = BatchWorkload.standard(seed, "w/");
    long committed = 0;
    int committedInFlight = 0;
    for (int it = 0; it < iterations; it++) {
      Plan plan = choose(rnd);
      String ctx = "seed " + seed + ", iteration " + it + " (" + plan + ")";
      List<String> args =
          plan.point == null
              ? childArgs(spec, seed)
              : childArgs(spec, seed, "--kill=" + plan.point);
      long acked;
      InFlight expect;
      try (ChildJvm child = ChildJvm.start("writer-crash", WriterChild.class, args)) {
        ctx += ", child log " + child.logFile();
        long start = child.await("START", WAIT).longField(0);
        assertThat(start)
            .as("%s: the new writer's view of the last committed batch", ctx)
            .isEqualTo(committed);
        if (plan.point == null) {
          child.await("OPENED", WAIT);
          for (int i = 0; i < plan.acks; i++) {
            child.await("ACK", WAIT);
          }
          child.kill();
          expect = InFlight.EITHER;
        } else {
          ChildJvm.Marker paused = child.await("PAUSED", WAIT);
          child.kill();
          expect = expectation(spec, paused.field(2));
        }
        ChildJvm.Marker last = child.last("ACK");
        acked = last == null ? start : last.longField(0);
      }
      long m = verify(spec, work, ctx);
      switch (expect) {
        case NOT_COMMITTED ->
            assertThat(m).as("%s: last committed batch (acked %d)", ctx, acked).isEqualTo(acked);
        case COMMITTED ->
            assertThat(m)
                .as("%s: last committed batch (acked %d)", ctx, acked)
                .isEqualTo(acked + 1);
        case EITHER ->
            assertThat(m)
                .as("%s: last committed batch (acked %d)", ctx, acked)
                .isBetween(acked, acked + 1);
      }
      if (m > acked) {
        committedInFlight++;
      }
      committed = m;
    }
    // A writer continues after the last crash and finishes cleanly.
    try (ChildJvm child =
        ChildJvm.start("writer-final", WriterChild.class, childArgs(spec, seed, "--batches=3"))) {
      assertThat(child.await("START", WAIT).longField(0)).isEqualTo(committed);
      assertThat(child.await("DONE", WAIT).longField(0))
          .as("seed %d: the final writer's last batch", seed)
          .isEqualTo(committed + 3);
      assertThat(child.awaitExit(WAIT)).isZero();
    }
    assertThat(verify(spec, work, "seed " + seed + ", after the final writer"))
        .isEqualTo(committed + 3);
    // Everything the killed writers uploaded but never committed (tables, blobs, staged files) is
    // reclaimed: GC converges to exactly the live set.
    String end = "seed " + seed + ", after " + iterations + " kills";
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbOptions())) {
      Convergence.gcUntilLiveSet(db, GRACE, end);
    }
    assertThat(verify(spec, work, end + ", after GC")).isEqualTo(committed + 3);
    if (spec.uri().startsWith("file:")) {
      Convergence.assertNoTemporaryFiles(dir, end);
    }
    // The kill points after the manifest append must have produced committed-but-unacked batches.
    if (iterations >= 16) {
      assertThat(committedInFlight)
          .as("seed %d: kills that left a committed but unacknowledged flush", seed)
          .isPositive();
    }
  }

  /** What a kill at object {@code name} implies for the batch in flight. */
  private InFlight expectation(StoreSpec spec, String name) {
    if (name.startsWith(ManifestPaths.SST_DIR) || name.startsWith(ManifestPaths.BLOB_DIR)) {
      return InFlight.NOT_COMMITTED;
    }
    try (ObjectStore store = spec.open()) {
      Manifest ms = new Manifest(ManifestStoreSpec.current().open(store));
      long seq;
      if (name.startsWith(ManifestPaths.LOG_DIR)) {
        Optional<Edit> e = ms.readEdit(ManifestPaths.seqOf(name));
        if (e.isEmpty()) {
          return InFlight.NOT_COMMITTED; // killed before the append
        }
        return e.get().change() instanceof Edit.AddTables
            ? InFlight.COMMITTED
            : InFlight.NOT_COMMITTED;
      } else if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
        seq = ManifestPaths.seqOf(name);
      } else {
        // CURRENT is written right after the snapshot of the edit just committed.
        List<Long> snaps = ms.listSnapshots();
        seq = snaps.get(snaps.size() - 1);
      }
      Edit e = ms.readEdit(seq).orElseThrow();
      return e.change() instanceof Edit.AddTables ? InFlight.COMMITTED : InFlight.NOT_COMMITTED;
    }
  }

  /** Opens the database cold and checks it holds exactly the committed batches; returns M. */
  private long verify(StoreSpec spec, BatchWorkload work, String ctx) {
    try (ObjectStore store = spec.open();
        IsleDB db = IsleDB.open(store, dbOptions());
        Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
      long m = work.committedBatch(r);
      String diff = work.diff(work.scan(r), m);
      assertThat(diff)
          .as("%s: contents after the crash must equal batches 1..%d exactly", ctx, m)
          .isNull();
      Random pick = new Random(m);
      for (int i = 0; i < 20; i++) {
        byte[] k = work.key(pick.nextInt(400));
        Optional<byte[]> want = work.expectedValue(k, m);
        Optional<byte[]> got = r.get(k);
        assertThat(got.isPresent())
            .as("%s: get %s presence at batch %d", ctx, new String(k), m)
            .isEqualTo(want.isPresent());
        want.ifPresent(
            w ->
                assertThat(got.get())
                    .as("%s: get %s at batch %d", ctx, new String(k), m)
                    .isEqualTo(w));
      }
      return m;
    }
  }
}
