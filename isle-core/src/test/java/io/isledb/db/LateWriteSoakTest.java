package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestStore;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Fault;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.testing.SkewedClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of issue 8: every role of a database in this JVM, each through its own {@link
 * FaultInjectingObjectStore} over one in-memory store and on its own clock, interleaved by one
 * seeded random schedule ({@code -Disledb.test.seed=N} replays a run; {@code
 * -Disledb.test.long=true} runs ten times the steps). Faults:
 *
 * <ul>
 *   <li>errors on every kind of request, and writes whose response is lost after they landed;
 *   <li><b>late writes</b>: a put, createIfAbsent or upload that times out for its caller and lands
 *       later: on its own some operations later, when the schedule delivers them, and at the latest
 *       {@link #LATE_BOUND} of true time after it was sent (the protocol's margin for a request in
 *       flight is a grace period; a later landing is outside the contract);
 *   <li><b>stalls</b>: a request of a writing role or GC waits (true time jumps: up to {@link
 *       #STALL_BOUND} for an author, whose deadlines then run out, and up to 1.5 grace periods for
 *       GC) while other roles run meanwhile (a GC pass during a writer's flush, a flush during a GC
 *       pass);
 *   <li><b>skewed clocks</b>: the writer, the external-table writer (its data two months old, for
 *       retention to drop), compactor, retention, GC, the readers and the tail each read the true
 *       time plus a skew of up to three hours either way, and so does the store's {@code
 *       lastModified}.
 * </ul>
 *
 * <p>What must hold: every operation succeeds with the model's data or fails with an injected fault
 * (or refuses because its deadline passed); every acknowledged write (a flush or commit that
 * returned, or a failed one found committed once its writer was replaced) is readable with its
 * value by every reader at every step and at the end; no reader or tail read ever finds a table or
 * blob missing; the tail sees every committed write exactly once in commit order; GC never deletes
 * an object the independent {@link LiveSetOracle} says is live, and once the faults stop it
 * converges, on the true clock moved past the grace period between passes, to exactly the live set
 * ({@link LiveSetOracle#convergedData} and {@link LiveObjects#convergedListing}), which collects
 * every late upload of an abandoned table or blob and every lease a late put resurrected.
 */
class LateWriteSoakTest {
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration RETENTION = Duration.ofMinutes(30);

  /** A late write lands at the latest this long (true time) after it was sent. */
  private static final long LATE_BOUND = GRACE.toMillis() / 8;

  /** The longest stall of one request of an author (writer, compactor, retention). */
  private static final long STALL_BOUND = GRACE.toMillis() / 8;

  /** The longest stall of one request of GC. */
  private static final long GC_STALL_BOUND = GRACE.toMillis() * 3 / 2;

  /** A held snapshot is read again only while its version is younger than this (true time). */
  private static final long HOLD_BOUND = GRACE.toMillis() / 2;

  /** The tail is polled to the end of the log at least this often (true time). */
  private static final long TAIL_BOUND = RETENTION.toMillis() / 6;

  private static final int READERS = 2;

  @TempDir Path cacheDir;

  private final MutableClock trueTime = new MutableClock(1_700_000_000_000L);
  private Random rnd;
  private String ctx;
  private InMemoryObjectStore real;

  /** The database's manifest, wherever this run keeps it ({@link ManifestStoreSpec}). */
  private ManifestStore manifest;

  private LiveSetOracle oracle;
  private final Map<String, FaultInjectingObjectStore> faulty = new LinkedHashMap<>();
  private final Map<String, Long> pendingSince = new LinkedHashMap<>();
  private final Map<String, Long> skews = new LinkedHashMap<>();
  private final Queue<String> missing = new ConcurrentLinkedQueue<>();

  // Roles.
  private IsleDB writerDb;
  private Writer writer;
  private WriterOptions wo;
  private IsleDB sstDb;
  private Compactor compactor;
  private RetentionCompactor retention;
  private GarbageCollector gc;
  private final List<Reader> readers = new ArrayList<>();
  private final List<IsleDB> dbs = new ArrayList<>();
  private TailingReader tail;
  private Reader oracleReader;

  // The model: committed w/ keys; writes not flushed yet; old-data keys committed externally.
  private final TreeMap<String, String> committed = new TreeMap<>();
  private final TreeMap<String, String> pending = new TreeMap<>();

  /** The writes not flushed yet in write order (the tail emits every version, in order). */
  private final List<Map.Entry<String, String>> pendingOps = new ArrayList<>();

  private final Map<String, String> external = new TreeMap<>();

  /** Committed flushes in commit order: what the tail must see. */
  private final List<List<Map.Entry<String, String>>> tailBlocks = new ArrayList<>();

  private int tailBlock;
  private int tailOp;
  private long tailVersion;
  private TailPosition tailPos = new TailPosition(1, 0);
  private long tailPolledAt;

  private final List<Held> held = new ArrayList<>();

  private record Held(ReadView view, TreeMap<String, String> model, long at) {}

  // Interleaving state: one stall per top-level step, nothing nested inside a stall's actions.
  private int stallsThisStep;
  private boolean inStall;

  // Counts.
  private long steps;
  private long batches;
  private long ackedWrites;
  private long writerFailures;
  private long failedFlushesCommitted;
  private long externalCommits;
  private long externalDuplicates;
  private long externalAbandoned;
  private long readerChecks;
  private long heldChecks;
  private long heldExpired;
  private long tailChanges;
  private long compactions;
  private long compactionsAbandoned;
  private long drops;
  private long gcPasses;
  private long gcFailedClosed;
  private long tablesDeleted;
  private long blobsDeleted;
  private long stalls;
  private long bursts;
  private long deadlineRefusals;
  private long acceptedFailures;
  private long forcedDeliveries;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @AfterEach
  void closeManifest() {
    if (manifest != null) {
      manifest.close();
    }
  }

  @Test
  void everyRoleWithLateWritesStallsAndSkewedClocks() throws Exception {
    long seed = Seeds.seed(20_260_805L);
    ctx = "seed " + seed;
    rnd = new Random(seed);
    int stepsToRun = Seeds.longRun() ? 20_000 : 2_000;
    for (String role :
        List.of("store", "writer", "sst", "compactor", "retention", "gc", "tail", "reader")) {
      skews.put(role, (long) (rnd.nextInt(6 * 60 + 1) - 3 * 60) * 60_000);
    }
    ctx += " (clock skews in minutes: " + skewSummary() + ")";
    real = new InMemoryObjectStore(clock("store"));
    manifest = ManifestStoreSpec.current().open(real);
    oracle = new LiveSetOracle(real, manifest, trueTime, GRACE, RETENTION);
    wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(4L << 20)
            .withBlobThreshold(2048)
            .withBlockSize(1024)
            .withFlushRetries(2);
    try {
      writerDb = track(IsleDB.open(writingStore("writer", seed + 1), options("writer", seed + 1)));
      sstDb =
          track(
              IsleDB.open(
                  writingStore("sst", seed + 2),
                  options("sst", seed + 2)
                      .withClock(new SkewedClock(clock("sst"), Duration.ofDays(-60)))));
      IsleDB compactorDb =
          track(IsleDB.open(writingStore("compactor", seed + 3), options("compactor", seed + 3)));
      IsleDB retentionDb =
          track(IsleDB.open(writingStore("retention", seed + 4), options("retention", seed + 4)));
      IsleDB gcDb = track(IsleDB.open(writingStore("gc", seed + 5), options("gc", seed + 5)));
      writer = retry(() -> writerDb.openWriter(wo), "open writer");
      compactor =
          retry(
              () ->
                  compactorDb.openCompactor(
                      CompactorOptions.defaults().withL0Trigger(4).withTargetTableSize(64 << 10)),
              "open compactor");
      retention =
          retry(
              () ->
                  retentionDb.openRetentionCompactor(
                      RetentionCompactorOptions.byAge(Duration.ofDays(30), 0)),
              "open retention");
      gc = retry(() -> gcDb.openGarbageCollector(GcOptions.defaults()), "open gc");
      for (int i = 0; i < READERS; i++) {
        IsleDB rdb =
            track(IsleDB.open(readingStore("reader", seed + 10 + i), options("reader", 0)));
        int id = i;
        readers.add(
            retry(
                () ->
                    rdb.openReader(
                        // No background downloads: every request is made by this thread.
                        ReaderOptions.defaults()
                            .withCacheDir(cacheDir.resolve("reader-" + id))
                            .withSmallTableBytes(0)
                            .withHotTableReads(Integer.MAX_VALUE)
                            .withDiskCacheBytes(0)),
                "open reader"));
      }
      IsleDB tdb = track(IsleDB.open(readingStore("tail", seed + 20), options("tail", 0)));
      tail =
          retry(
              () ->
                  tdb.openTailingReader(
                      TailingReaderOptions.defaults().withKeyRange(b("w/"), b("w0"))),
              "open tail");
      IsleDB odb = track(IsleDB.open(real, options("reader", 0).withClock(trueTime)));
      oracleReader =
          odb.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("oracle")));
      tailPolledAt = trueTime.millis();

      for (steps = 0; steps < stepsToRun; steps++) {
        stallsThisStep = 0;
        step();
        afterStep();
      }

      // The end: the faults stop, everything in flight lands, the writer commits what it holds.
      for (FaultInjectingObjectStore f : faulty.values()) {
        forcedDeliveries += f.deliverLateWrites();
      }
      stallsThisStep = Integer.MAX_VALUE; // no more stalls
      while (!pending.isEmpty()) {
        flushStep();
      }
      pollTailToEnd();
      for (Held h : held) {
        h.view().close();
      }
      held.clear();
      assertThat(missing).as("%s: reads that found a table or blob missing", ctx).isEmpty();
      assertThat(tailBlock)
          .as("%s: committed flushes the tail saw", ctx)
          .isEqualTo(tailBlocks.size());
      assertThat(tailOp).isZero();
      oracleReader.refresh();
      checkView(oracleReader, committed, "final state (fault-free reader)");

      // GC converges to exactly the live set: a new GC instance without faults, on its own skewed
      // clock, the true time moved past the grace period between passes.
      for (FaultInjectingObjectStore f : faulty.values()) {
        f.deliverLateWrites();
        assertThat(f.pendingLateWrites()).isZero();
      }
      long finalPasses = 0;
      try (IsleDB finalGcDb = IsleDB.open(real, options("gc", seed + 30));
          GarbageCollector finalGc = finalGcDb.openGarbageCollector(GcOptions.defaults())) {
        boolean converged = false;
        for (int pass = 0; pass < 20 && !converged; pass++) {
          GcResult r = finalGc.runOnce();
          finalPasses++;
          tablesDeleted += r.deletedTables();
          blobsDeleted += r.deletedBlobs();
          oracle.assertNothingLiveMissing(ctx + ", final GC pass " + pass);
          converged =
              oracle.listedData().equals(oracle.convergedData())
                  && LiveObjects.listing(real, manifest)
                      .equals(LiveObjects.convergedListing(real, manifest));
          trueTime.advance(GRACE.plusSeconds(1));
        }
        TreeSet<String> leaked = new TreeSet<>(LiveObjects.listing(real, manifest));
        leaked.removeAll(LiveObjects.convergedListing(real, manifest));
        TreeSet<String> lost = new TreeSet<>(LiveObjects.convergedListing(real, manifest));
        lost.removeAll(LiveObjects.listing(real, manifest));
        assertThat(lost).as("%s: live objects missing after GC", ctx).isEmpty();
        assertThat(leaked).as("%s: objects GC never reclaimed", ctx).isEmpty();
        assertThat(oracle.listedData())
            .as("%s: data objects equal the oracle's live set", ctx)
            .isEqualTo(oracle.convergedData());
      }
      try (IsleDB coldDb = IsleDB.open(real, options("reader", 0).withClock(trueTime));
          Reader cold =
              coldDb.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("cold")))) {
        checkView(cold, committed, "final state after GC (cold reader)");
      }

      long lateInjected = 0;
      long lateDelivered = 0;
      long errors = 0;
      long lost = 0;
      for (FaultInjectingObjectStore f : faulty.values()) {
        lateInjected += f.injected(Fault.LATE_WRITE);
        lateDelivered += f.deliveredLateWrites();
        errors += f.injected(Fault.ERROR);
        lost += f.injected(Fault.LOST_RESPONSE);
      }
      String summary =
          String.format(
              "%s: %d steps, %d batches, %d acknowledged writes, %d writer failures (%d had"
                  + " committed; %d forced), %d external commits (%d duplicates, %d abandoned), %d reader"
                  + " checks (%d on held snapshots, %d held expired), %d tail changes, %d"
                  + " compactions (%d abandoned), %d retention drops, %d GC passes (%d failed"
                  + " closed, %d final) deleting %d tables and %d blobs, %d late writes"
                  + " injected / %d delivered, %d errors, %d lost responses, %d stalls, %d"
                  + " deadline refusals, %d accepted failures, %d missing-object reads",
              ctx,
              steps,
              batches,
              ackedWrites,
              writerFailures,
              failedFlushesCommitted,
              bursts,
              externalCommits,
              externalDuplicates,
              externalAbandoned,
              readerChecks,
              heldChecks,
              heldExpired,
              tailChanges,
              compactions,
              compactionsAbandoned,
              drops,
              gcPasses + finalPasses,
              gcFailedClosed,
              finalPasses,
              tablesDeleted,
              blobsDeleted,
              lateInjected,
              lateDelivered,
              errors,
              lost,
              stalls,
              deadlineRefusals,
              acceptedFailures,
              missing.size());
      System.out.println("late-write soak: " + summary);
      assertThat(lateDelivered).as("%s: every late write landed", summary).isEqualTo(lateInjected);
      assertThat(lateInjected).as(summary).isGreaterThan(10);
      assertThat(writerFailures).as(summary).isPositive();
      if (!manifest.hasOwnClock()) {
        // Only the object store's requests are faulted: a flush fails after its log append landed
        // only when that append is an object-store request (a separate manifest store's lost
        // responses are covered by its own tests, PgResponseDroppingProxy).
        assertThat(failedFlushesCommitted).as(summary).isPositive();
      }
      assertThat(compactions).as(summary).isPositive();
      assertThat(drops).as(summary).isPositive();
      assertThat(tablesDeleted).as(summary).isPositive();
      assertThat(readerChecks).as(summary).isGreaterThan(50);
      assertThat(heldChecks).as(summary).isPositive();
      assertThat(tailChanges).as(summary).isPositive();
      assertThat(stalls).as(summary).isPositive();
    } finally {
      for (Held h : held) {
        h.view().close();
      }
      closeQuietly(tail);
      readers.forEach(LateWriteSoakTest::closeQuietly);
      closeQuietly(oracleReader);
      closeQuietly(gc);
      closeQuietly(retention);
      closeQuietly(compactor);
      closeQuietly(writer);
      for (int i = dbs.size() - 1; i >= 0; i--) {
        closeQuietly(dbs.get(i));
      }
    }
  }

  // ------------------------------------------------------------------ the schedule

  private void step() {
    int r = rnd.nextInt(1000);
    if (r < 420) {
      int n = 1 + rnd.nextInt(15);
      for (int i = 0; i < n; i++) {
        String k = String.format("w/k%03d", rnd.nextInt(300));
        if (rnd.nextInt(6) == 0) {
          writer.delete(b(k));
          pending.put(k, null);
          pendingOps.add(new java.util.AbstractMap.SimpleImmutableEntry<>(k, null));
        } else {
          String v = "v" + steps + "-" + i;
          if (rnd.nextInt(15) == 0) {
            v = v + "-" + "x".repeat(2048 + rnd.nextInt(2000)); // a blob
          }
          writer.put(b(k), b(v));
          pending.put(k, v);
          pendingOps.add(new java.util.AbstractMap.SimpleImmutableEntry<>(k, v));
        }
      }
    } else if (r < 560) {
      flushStep();
    } else if (r < 590) {
      externalCommitStep();
    } else if (r < 660) {
      compactionStep();
    } else if (r < 690) {
      retentionStep();
    } else if (r < 750) {
      gcStep();
    } else if (r < 860) {
      readerStep();
    } else if (r < 920) {
      tailStep();
    } else if (r < 950) {
      List<FaultInjectingObjectStore> stores = new ArrayList<>(faulty.values());
      stores.get(rnd.nextInt(stores.size())).deliverLateWrites();
    } else {
      advance(1 + rnd.nextInt(60_000));
    }
  }

  private void afterStep() {
    advance(rnd.nextInt(2_000));
    oracle.observe();
    if (trueTime.millis() - tailPolledAt >= TAIL_BOUND) {
      pollTailToEnd();
    }
    for (int i = held.size() - 1; i >= 0; i--) {
      Held h = held.get(i);
      if (trueTime.millis() - h.at() >= HOLD_BOUND) {
        // Outside the contract: a version older than the grace period may be collected.
        h.view().close();
        held.remove(i);
        heldExpired++;
      }
    }
  }

  /**
   * Moves the true time by {@code millis}; first lands every late write that has been in flight for
   * {@link #LATE_BOUND}. Every clock movement goes through here, so a late write is noticed at the
   * true time it was sent.
   */
  private void advance(long millis) {
    long now = trueTime.millis();
    for (Map.Entry<String, FaultInjectingObjectStore> e : faulty.entrySet()) {
      FaultInjectingObjectStore f = e.getValue();
      if (f.pendingLateWrites() == 0) {
        pendingSince.remove(e.getKey());
        continue;
      }
      long since = pendingSince.computeIfAbsent(e.getKey(), k -> now);
      if (now + millis - since >= LATE_BOUND) {
        forcedDeliveries += f.deliverLateWrites();
        pendingSince.remove(e.getKey());
      }
    }
    // The oracle stamps a version with the time it first sees it: it must see every edit before
    // the time moves on, or it would think the edit younger than it is.
    if (oracle != null) {
      oracle.observe();
    }
    trueTime.advance(Duration.ofMillis(millis));
  }

  /**
   * The latency of every request of a writing role ({@code op} decoded from the configured
   * latency): a little time, and sometimes a stall while other roles run. A stall before a
   * create-if-absent (a log append, checked against its deadline just before) is bounded by {@link
   * #STALL_BOUND}: the time between the check and the request landing is the protocol's margin for
   * a request in flight. Any other request may stall for up to 1.5 grace periods.
   */
  private void latency(String role, Operation op) {
    synchronized (this) {
      if (inStall || stallsThisStep >= 2 || rnd.nextInt(150) != 0) {
        advance(rnd.nextInt(50));
        return;
      }
      stallsThisStep++;
      inStall = true;
    }
    try {
      stalls++;
      long bound = op == Operation.CREATE_IF_ABSENT ? STALL_BOUND : GC_STALL_BOUND;
      long total = 1 + (long) (rnd.nextDouble() * bound);
      // Other roles run while this request waits, a GC pass at least every third of a grace
      // period: what the stalled author uploaded meanwhile is marked and, a grace period later,
      // deleted, unless its deadline stops the author from committing it.
      for (long left = total; left > 0; ) {
        long chunk = Math.min(left, 1 + (long) (rnd.nextDouble() * GRACE.toMillis() / 3));
        advance(chunk);
        left -= chunk;
        switch (role) {
          case "writer" -> {
            gcStep();
            if (rnd.nextBoolean()) {
              compactionStep();
            }
          }
          case "gc" -> {
            flushStep();
            compactionStep();
          }
          default -> {
            gcStep();
            flushStep();
          }
        }
        oracle.observe();
      }
    } finally {
      inStall = false;
    }
  }

  // ------------------------------------------------------------------ steps

  private void flushStep() {
    try {
      if (!pending.isEmpty() && rnd.nextInt(12) == 0) {
        burst();
      }
      if (!pending.isEmpty()) {
        // A unique marker, so a lost flush that committed always shows in the data.
        String v = "flush at step " + steps + "/" + batches + "/" + writerFailures;
        writer.put(b("w/!flush"), b(v));
        pending.put("w/!flush", v);
        pendingOps.add(new java.util.AbstractMap.SimpleImmutableEntry<>("w/!flush", v));
      }
      writer.flush();
      commitPending();
    } catch (RuntimeException e) {
      accept(e, "flush");
      writerFailed();
    }
  }

  /**
   * Makes this flush fail for certain: every append fails, or lands with its responses lost, or
   * times out and lands later (the first late create takes the slot, if still free, when it lands,
   * maybe only after the writer was replaced).
   */
  private void burst() {
    FaultInjectingObjectStore w = faulty.get("writer");
    // 4 creates exhaust the appender's retries of one flush attempt.
    int attempts = (wo.flushRetries() + 1) * 4;
    switch (rnd.nextInt(3)) {
      case 0 -> w.failNext(Operation.CREATE_IF_ABSENT, attempts);
      case 1 -> w.loseNextResponses(Operation.CREATE_IF_ABSENT, attempts);
      default -> w.delayNextWrites(Operation.CREATE_IF_ABSENT, attempts);
    }
    bursts++;
  }

  private void commitPending() {
    if (!pending.isEmpty()) {
      batches++;
      ackedWrites += pendingOps.size();
      applyPending();
    }
  }

  private void applyPending() {
    pending.forEach(
        (k, v) -> {
          if (v == null) {
            committed.remove(k);
          } else {
            committed.put(k, v);
          }
        });
    tailBlocks.add(new ArrayList<>(pendingOps));
    pending.clear();
    pendingOps.clear();
  }

  /**
   * The writer failed: replace it (fencing the failed one, so nothing it sent can land any more),
   * then the lost flush must be committed wholly or not at all.
   */
  private void writerFailed() {
    writerFailures++;
    try {
      writer.close();
    } catch (RuntimeException e) {
      accept(e, "close of the failed writer");
    }
    writer = retry(() -> writerDb.openWriter(wo), "reopen writer");
    oracleReader.refresh();
    TreeMap<String, String> actual = scan(oracleReader);
    TreeMap<String, String> with = new TreeMap<>(committed);
    pending.forEach(
        (k, v) -> {
          if (v == null) {
            with.remove(k);
          } else {
            with.put(k, v);
          }
        });
    if (!pending.isEmpty() && actual.equals(with)) {
      failedFlushesCommitted++;
      applyPending();
    } else {
      assertThat(actual)
          .as("%s, step %d: after a failed flush the data is all of it or none of it", ctx, steps)
          .isEqualTo(committed);
      pending.clear();
      pendingOps.clear();
    }
  }

  private void externalCommitStep() {
    flushStep(); // the commit flushes the writer first: keep its writes in their own step
    if (!pending.isEmpty()) {
      return;
    }
    long n = ++externalCommits;
    Map<String, String> kvs = new TreeMap<>();
    for (int k = 0; k < 8; k++) {
      kvs.put(String.format("e/c%06d/k%02d", n, k), "old " + n + "/" + k);
    }
    List<SstHandle> handles;
    try (SstWriter sw =
        sstDb.newSstWriter(SstWriterOptions.defaults().withLeaseTtl(GRACE.multipliedBy(2)))) {
      kvs.forEach((k, v) -> sw.put(b(k), b(v)));
      handles = sw.finish();
    } catch (RuntimeException e) {
      accept(e, "external table upload");
      externalAbandoned++;
      return;
    }
    // Known before committing, so a reader never meets one it does not know.
    external.putAll(kvs);
    String token = "ext-" + n;
    for (int attempt = 0; ; attempt++) {
      try {
        CommitResult r = writerDb.commit(handles, token);
        if (r.duplicate()) {
          externalDuplicates++;
        }
        return;
      } catch (RuntimeException e) {
        if (isDeadline(e)) {
          // Too late: the tables may be collected; the keys never appear (or are dropped).
          externalAbandoned++;
          acceptedFailures++;
          return;
        }
        accept(e, "external commit " + token);
        writerFailed();
        if (attempt > 50) {
          throw new AssertionError(ctx + ": external commit still failing", e);
        }
      }
    }
  }

  private void compactionStep() {
    try {
      if (compactor.runOnce().isPresent()) {
        compactions++;
      }
    } catch (RuntimeException e) {
      if (e instanceof IsleException ie
          && ie.kind() == IsleException.Kind.CONFLICT
          && String.valueOf(e.getMessage()).contains("removed concurrently")) {
        compactionsAbandoned++;
        return;
      }
      if (String.valueOf(e.getMessage()).contains("abandoned")) {
        compactionsAbandoned++;
      }
      accept(e, "compaction");
    }
  }

  private void retentionStep() {
    try {
      if (retention.runOnce().isPresent()) {
        drops++;
      }
    } catch (RuntimeException e) {
      accept(e, "retention");
    }
  }

  private void gcStep() {
    try {
      GcResult r = gc.runOnce();
      gcPasses++;
      if (r.failedClosed()) {
        gcFailedClosed++;
      }
      tablesDeleted += r.deletedTables();
      blobsDeleted += r.deletedBlobs();
    } catch (RuntimeException e) {
      accept(e, "gc");
    }
    oracle.assertNothingLiveMissing(ctx + ", step " + steps + ", after a GC pass");
  }

  private void readerStep() {
    Reader reader = readers.get(rnd.nextInt(readers.size()));
    if (!held.isEmpty() && rnd.nextInt(3) == 0) {
      Held h = held.remove(rnd.nextInt(held.size()));
      try {
        checkView(h.view(), h.model(), "held snapshot");
        heldChecks++;
      } catch (RuntimeException e) {
        accept(e, "read of a held snapshot");
      } finally {
        h.view().close();
      }
      return;
    }
    try {
      long version = reader.refresh();
      long newest = oracleReader.refresh();
      assertThat(version)
          .as("%s, step %d: refresh reaches the newest version", ctx, steps)
          .isEqualTo(newest);
      ReadView view = reader.snapshot();
      boolean keep = held.size() < 4 && rnd.nextInt(4) == 0;
      try {
        checkView(view, committed, "reader at version " + version);
        readerChecks++;
      } finally {
        if (keep) {
          held.add(new Held(view, new TreeMap<>(committed), trueTime.millis()));
        } else {
          view.close();
        }
      }
    } catch (RuntimeException e) {
      accept(e, "read");
    }
  }

  private void tailStep() {
    try {
      TailBatch batch = tail.poll(tailPos, 1 + rnd.nextInt(200));
      batch.changes().forEach(this::tailAccept);
      tailPos = batch.next();
    } catch (RuntimeException e) {
      accept(e, "tail poll");
    }
  }

  /** Polls until the tail reaches the end of the log, retrying injected failures. */
  private void pollTailToEnd() {
    for (int attempt = 0; ; attempt++) {
      try {
        TailBatch batch = tail.poll(tailPos, 500);
        batch.changes().forEach(this::tailAccept);
        boolean end = batch.changes().isEmpty() && batch.next().equals(tailPos);
        tailPos = batch.next();
        if (end) {
          tailPolledAt = trueTime.millis();
          return;
        }
      } catch (RuntimeException e) {
        accept(e, "tail poll");
      }
      if (attempt > 10_000) {
        throw new AssertionError(ctx + ": the tail never reached the end of the log");
      }
    }
  }

  private void tailAccept(Change c) {
    tailChanges++;
    String at = ctx + ", step " + steps + ", tail at flush " + tailBlock + " write " + tailOp;
    assertThat(tailBlock)
        .as("%s: a change nobody committed: %s", at, c)
        .isLessThan(tailBlocks.size());
    Map.Entry<String, String> want = tailBlocks.get(tailBlock).get(tailOp);
    assertThat(c.version()).as("%s: commit order", at).isGreaterThanOrEqualTo(tailVersion);
    tailVersion = c.version();
    assertThat(s(c.key())).as("%s: key", at).isEqualTo(want.getKey());
    if (want.getValue() == null) {
      assertThat(c.type()).as("%s: type of %s", at, c).isEqualTo(Change.Type.DELETE);
    } else {
      assertThat(c.type()).as("%s: type of %s", at, c).isEqualTo(Change.Type.PUT);
      assertThat(s(c.value())).as("%s: value", at).isEqualTo(want.getValue());
    }
    if (++tailOp == tailBlocks.get(tailBlock).size()) {
      tailBlock++;
      tailOp = 0;
    }
  }

  // ------------------------------------------------------------------ checks

  private static TreeMap<String, String> scan(ReadView view) {
    TreeMap<String, String> out = new TreeMap<>();
    try (KvIterator it = view.scan(b("w/"), b("w0"))) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.put(s(kv.key()), s(kv.value()));
      }
    }
    return out;
  }

  private void checkView(ReadView view, TreeMap<String, String> model, String what) {
    String at = ctx + ", step " + steps + ", " + what;
    assertThat(scan(view)).as("%s: w/ range", at).isEqualTo(model);
    for (int i = 0; i < 5; i++) {
      String k = String.format("w/k%03d", rnd.nextInt(300));
      Optional<byte[]> got = view.get(b(k));
      assertThat(got.map(LateWriteSoakTest::s).orElse(null))
          .as("%s: get %s", at, k)
          .isEqualTo(model.get(k));
    }
    try (KvIterator it = view.scan(b("e/"), b("e0"))) {
      while (it.hasNext()) {
        KV kv = it.next();
        assertThat(external.get(s(kv.key())))
            .as("%s: old-data key %s", at, s(kv.key()))
            .isEqualTo(s(kv.value()));
      }
    }
  }

  /**
   * Accepts only an injected fault (UNAVAILABLE naming it in the cause chain) or a refusal because
   * a commit deadline passed during a stall; anything else fails the run.
   */
  private void accept(RuntimeException e, String what) {
    if (isDeadline(e)) {
      deadlineRefusals++;
      acceptedFailures++;
      return;
    }
    if (!FaultInjectingObjectStore.isInjectedFailure(e)) {
      throw new AssertionError(
          ctx + ", step " + steps + ": " + what + " failed with something other than a fault", e);
    }
    acceptedFailures++;
  }

  private static boolean isDeadline(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof IsleException ie
          && ie.kind() == IsleException.Kind.UNAVAILABLE
          && (m.contains("commit deadline passed") || m.contains("abandoned"))) {
        return true;
      }
    }
    return false;
  }

  private <T> T retry(Supplier<T> action, String what) {
    for (int attempt = 0; ; attempt++) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        accept(e, what);
        if (attempt > 50) {
          throw new AssertionError(ctx + ": " + what + " still failing after 50 attempts", e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ setup

  private Clock clock(String role) {
    return new SkewedClock(trueTime, Duration.ofMillis(skews.get(role)));
  }

  private String skewSummary() {
    StringBuilder sb = new StringBuilder();
    skews.forEach(
        (k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v / 60_000));
    return sb.toString();
  }

  private DBOptions options(String role, long idSeed) {
    return ManifestStoreSpec.current()
        .options()
        .withClock(clock(role))
        .withIdSource(Ids.seededSource(idSeed))
        .withSnapshotEvery(4)
        .withGcGracePeriod(GRACE)
        .withLogRetention(RETENTION);
  }

  /** A writing role's store: every fault, late writes, latency that moves the true time. */
  private ObjectStore writingStore(String role, long seed) {
    double p = 0.02;
    FaultInjectingObjectStore.Builder b =
        FaultInjectingObjectStore.builder(real)
            .seed(seed)
            .clock(trueTime)
            .sleeper(d -> latency(role, Operation.values()[(int) d.toMillis() - 1]))
            .lateWritesLandAfter(3 + new Random(seed).nextInt(60));
    for (Operation op : Operation.values()) {
      b.errors(op, p);
      // The sleeper learns the operation from its latency.
      b.latency(op, Duration.ofMillis(op.ordinal() + 1));
    }
    for (Operation op : List.of(Operation.PUT, Operation.CREATE_IF_ABSENT, Operation.UPLOAD)) {
      b.lostResponses(op, p);
      b.lateWrites(op, p);
    }
    b.lostResponses(Operation.DELETE, p);
    b.lostResponses(Operation.DELETE_ALL, p);
    FaultInjectingObjectStore f = b.build();
    faulty.put(role, f);
    return f;
  }

  /** A reading role's store: read errors, and every read that finds a table or blob missing. */
  private ObjectStore readingStore(String role, long seed) {
    FaultInjectingObjectStore.Builder b =
        FaultInjectingObjectStore.builder(
                new HookedObjectStore(real, HookedObjectStore.recordMissingData(missing)))
            .seed(seed)
            .clock(trueTime)
            .sleeper(d -> {});
    for (Operation op :
        List.of(Operation.GET, Operation.GET_RANGE, Operation.STAT, Operation.LIST)) {
      b.errors(op, 0.01);
    }
    FaultInjectingObjectStore f = b.build();
    faulty.put(role + "-" + seed, f);
    return f;
  }

  private IsleDB track(IsleDB db) {
    dbs.add(db);
    return db;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // best effort after a failure
    }
  }
}
