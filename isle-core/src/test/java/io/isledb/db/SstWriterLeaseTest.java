package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 14b: an {@link SstWriter}'s lease costs O(uploads) bytes and a bounded number of
 * PUTs (it rewrote its whole lease, listing every upload so far, before every upload: quadratic),
 * while still naming every object before its upload starts and staying fresh for GC.
 */
class SstWriterLeaseTest {
  private static final long GRACE = Duration.ofMinutes(10).toMillis();

  private final InMemoryObjectStore memory = new InMemoryObjectStore();
  private final MutableClock clock = new MutableClock(1_000_000_000L);
  private final List<String> uncovered = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> leasePutTimes = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> uploadTimes = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger failLeasePuts =
      new java.util.concurrent.atomic.AtomicInteger();
  private long leasePuts;
  private long leaseBytes;
  private int uploads;

  private final HookedObjectStore store =
      new HookedObjectStore(
          memory,
          (op, phase, name) -> {
            if (op == Op.PUT
                && phase == Phase.BEFORE
                && name.startsWith(Lease.DIR)
                && failLeasePuts.getAndDecrement() > 0) {
              throw new IsleException(IsleException.Kind.UNAVAILABLE, "injected lease failure");
            }
            if (op == Op.PUT && phase == Phase.AFTER && name.startsWith(Lease.DIR)) {
              leasePuts++;
              leaseBytes += memory.get(name).orElseThrow().length;
              leasePutTimes.add(clock.millis());
            }
            boolean upload =
                (op == Op.PUT && name.startsWith(ManifestPaths.BLOB_DIR))
                    || (op == Op.UPLOAD_START && name.startsWith(ManifestPaths.SST_DIR));
            if (upload && phase == Phase.BEFORE) {
              uploads++;
              uploadTimes.add(clock.millis());
              if (!coveredByAStoredLease(name)) {
                uncovered.add(name);
              }
            }
          });

  private final IsleDB db =
      IsleDB.open(
          store,
          DBOptions.defaults()
              .withClock(clock)
              .withGcGracePeriod(Duration.ofMillis(GRACE))
              .withIdSource(Ids.seededSource(14)));

  /** What GC decides: is {@code name} named by a lease in the store right now? */
  private boolean coveredByAStoredLease(String name) {
    var it = memory.list(Lease.DIR);
    while (it.hasNext()) {
      String leaseName = it.next().name();
      Optional<byte[]> b = memory.get(leaseName);
      if (b.isPresent() && Lease.decode(leaseName, b.get()).covers(name)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] value(int i) {
    return ("value-" + i + "-" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aThousandBlobsCostLinearLeaseBytesAndABoundedNumberOfLeasePuts() {
    int n = 1000;
    List<SstHandle> handles;
    try (SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults().withBlobThreshold(64).withBufferBytes(64 << 10))) {
      for (int i = 0; i < n; i++) {
        sw.put(key(i), value(i));
      }
      handles = sw.finish();
    }
    assertThat(handles.size()).isGreaterThan(1); // several tables as well
    assertThat(uploads).isEqualTo(n + handles.size());
    assertThat(uncovered).as("uploads not named by a lease when they started").isEmpty();
    assertThat(leasePuts).as("lease PUTs (%d lease bytes)", leaseBytes).isLessThanOrEqualTo(8);
    assertThat(leaseBytes).isLessThanOrEqualTo(64L * n);

    db.commit(handles, "lease-1");
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (int i = 0; i < n; i++) {
        assertThat(r.get(key(i))).as("key %d", i).hasValue(value(i));
      }
    }
    assertThat(memory.list(Lease.DIR).hasNext()).isFalse();
  }

  /**
   * A writer that uploads slowly still rewrites its lease at least every quarter of GC's window
   * (the larger of ttl and grace), so GC keeps seeing it change, and rewrites it once more when it
   * finishes: the handles are safe for the whole window after {@code finish()}.
   */
  @Test
  void aSlowWriterKeepsItsLeaseFreshAndRefreshesItAtFinish() {
    try (SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults().withBlobThreshold(64).withLeaseTtl(Duration.ZERO))) {
      for (int i = 0; i < 40; i++) {
        sw.put(key(i), value(i));
        clock.advance(Duration.ofMinutes(1));
      }
      sw.finish();
    }
    assertThat(uncovered).isEmpty();
    long finishedAt = clock.millis();
    for (long u : uploadTimes) {
      long lastWrite = leasePutTimes.stream().filter(t -> t <= u).reduce((a, b) -> b).orElseThrow();
      assertThat(u - lastWrite).as("lease age at upload %d", u).isLessThan(GRACE / 4);
    }
    assertThat(leasePutTimes.get(leasePutTimes.size() - 1)).isEqualTo(finishedAt);
    assertThat(leasePuts).isLessThan(uploads);
  }

  /**
   * End to end with GC: the blobs of a finished but not yet committed writer are covered by its
   * lease's declared prefix (not by name), and GC, which decides with {@link Lease.Coverage}, keeps
   * them through passes spanning several grace periods until the commit.
   */
  @Test
  void gcKeepsTheUploadsOfAnUncommittedWriterUntilItsLeaseRunsOut() {
    List<SstHandle> handles;
    try (SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults().withBlobThreshold(64).withLeaseTtl(Duration.ofHours(1)))) {
      for (int i = 0; i < 50; i++) {
        sw.put(key(i), value(i));
      }
      handles = sw.finish();
    }
    // Another writer that is abandoned: its lease runs out, and then GC takes its uploads.
    SstWriter abandoned =
        db.newSstWriter(
            SstWriterOptions.defaults().withBlobThreshold(64).withLeaseTtl(Duration.ofHours(1)));
    for (int i = 0; i < 10; i++) {
      abandoned.put(key(1000 + i), value(1000 + i));
    }
    abandoned.finish();
    try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      for (int pass = 0; pass < 5; pass++) { // 50 minutes: five grace periods, within the ttl
        gc.runOnce();
        clock.advance(Duration.ofMillis(GRACE));
      }
      gc.runOnce();
      assertThat(memory.list(ManifestPaths.BLOB_DIR)).toIterable().hasSize(60);
      db.commit(handles, "lease-gc");
      for (int pass = 0; pass < 10; pass++) { // past the abandoned lease's hour, plus grace
        clock.advance(Duration.ofMillis(GRACE));
        gc.runOnce();
      }
    }
    assertThat(memory.list(ManifestPaths.BLOB_DIR)).toIterable().hasSize(50);
    assertThat(memory.list(Lease.DIR).hasNext()).isFalse();
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (int i = 0; i < 50; i++) {
        assertThat(r.get(key(i))).as("key %d", i).hasValue(value(i));
      }
    }
  }

  /**
   * A lease write that fails leaves the new declaration (a blob prefix, a batch of table ids)
   * unpublished: the next upload must write the lease first, not use a name GC cannot see.
   */
  @Test
  void aFailedLeaseWriteIsRepeatedBeforeTheNextUpload() {
    List<SstHandle> handles;
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults().withBlobThreshold(64))) {
      failLeasePuts.set(1); // the write declaring the blob prefix
      assertThatThrownBy(() -> sw.put(key(0), value(0)))
          .hasMessageContaining("injected lease failure");
      sw.put(key(0), value(0));
      sw.put(key(1), value(1));
      failLeasePuts.set(1); // the write declaring the first batch of table ids
      assertThatThrownBy(sw::finish).hasMessageContaining("injected lease failure");
      handles = sw.finish(); // retried: the table upload writes the lease first
    }
    assertThat(uploads).isEqualTo(3);
    assertThat(uncovered).as("uploads not named by a stored lease").isEmpty();
    db.commit(handles, "lease-retry");
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.get(key(0))).hasValue(value(0));
      assertThat(r.get(key(1))).hasValue(value(1));
    }
  }
}
