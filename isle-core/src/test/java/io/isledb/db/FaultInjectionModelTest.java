package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Fault;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine model test (as {@link EngineModelTestBase}) with every component (writer, reader,
 * compactor, GC) on a {@link FaultInjectingObjectStore}: random errors on every kind of request,
 * responses lost after writes landed, listings that miss the newest writes, and scheduled bursts
 * that make a flush fail for good or make its commit ambiguous. The contract: every operation
 * either succeeds with exactly the model's data, or fails loudly with the injected error ({@link
 * IsleException} of kind UNAVAILABLE naming the injected fault) — never wrong data and never a
 * different error. A writer whose flush failed is reopened; the flush it lost is then either wholly
 * committed or not at all (checked through a fault-free "oracle" view of the same storage), and the
 * test continues from that acknowledged state.
 */
class FaultInjectionModelTest {
  @TempDir Path cacheDir;

  private static final class Model {
    final TreeMap<byte[], byte[]> map = new TreeMap<>(Bytes.COMPARATOR);

    Model copy() {
      Model m = new Model();
      m.map.putAll(map);
      return m;
    }

    void apply(Map<byte[], byte[]> pending) {
      pending.forEach(
          (k, v) -> {
            if (v == null) {
              map.remove(k);
            } else {
              map.put(k, v);
            }
          });
    }

    List<KV> all() {
      List<KV> out = new ArrayList<>();
      map.forEach((k, v) -> out.add(new KV(k, v)));
      return out;
    }
  }

  private static List<KV> scan(ReadView r) {
    List<KV> out = new ArrayList<>();
    try (KvIterator it = r.scan(null, null)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static boolean same(List<KV> a, List<KV> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i).key(), b.get(i).key())
          || !java.util.Arrays.equals(a.get(i).value(), b.get(i).value())) {
        return false;
      }
    }
    return true;
  }

  private long injectedFailures;

  /** Accepts only the injected fault: UNAVAILABLE, with the injection named in the cause chain. */
  private void assertInjected(RuntimeException e, String ctx) {
    if (!FaultInjectingObjectStore.isInjectedFailure(e)) {
      throw new AssertionError(ctx + ": failed with something other than the injected fault", e);
    }
    injectedFailures++;
  }

  /** Retries {@code action} while it fails with injected faults. */
  private <T> T retry(Supplier<T> action, String ctx) {
    for (int attempt = 0; ; attempt++) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        assertInjected(e, ctx);
        if (attempt > 50) {
          throw new AssertionError(ctx + ": still failing after 50 attempts", e);
        }
      }
    }
  }

  @Test
  void engineHoldsOrFailsLoudlyUnderInjectedFaults() {
    long seed = Seeds.seed(20_261_207L);
    Random rnd = new Random(seed);
    String ctx = "seed " + seed;
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore real = new InMemoryObjectStore(clock);
    double p = 0.03;
    FaultInjectingObjectStore.Builder b =
        FaultInjectingObjectStore.builder(real)
            .seed(seed)
            .clock(clock)
            .sleeper(d -> {})
            .hideLastWrites(2);
    for (Operation op : Operation.values()) {
      b.errors(op, p);
      b.latency(op, Duration.ofMillis(1));
    }
    for (Operation op :
        List.of(
            Operation.PUT,
            Operation.CREATE_IF_ABSENT,
            Operation.UPLOAD,
            Operation.DELETE,
            Operation.DELETE_ALL)) {
      b.lostResponses(op, p);
    }
    FaultInjectingObjectStore faulty = b.build();
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(seed))
            .withSnapshotEvery(4)
            .withGcGracePeriod(Duration.ofMinutes(10))
            .withLogRetention(Duration.ZERO);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(4L << 20)
            .withBlobThreshold(2048)
            .withBlockSize(1024)
            .withFlushRetries(2);
    int operations = Seeds.longRun() ? 20_000 : 2_000;
    int writerFailures = 0;
    int lostFlushesCommitted = 0;
    int verifiedReads = 0;
    try (IsleDB db = IsleDB.open(faulty, dbo);
        IsleDB oracleDb = IsleDB.open(real, dbo);
        Reader oracle =
            oracleDb.openReader(
                ReaderOptions.defaults().withCacheDir(cacheDir.resolve("oracle")))) {
      Writer writer = retry(() -> db.openWriter(wo), ctx + ": open writer");
      Reader reader =
          retry(
              () ->
                  db.openReader(
                      // No background downloads: every request is made by the test's own thread
                      // or the writer's flush it waits for, so the faults drawn repeat exactly.
                      ReaderOptions.defaults()
                          .withCacheDir(cacheDir.resolve("reader"))
                          .withSmallTableBytes(0)
                          .withHotTableReads(Integer.MAX_VALUE)
                          .withDiskCacheBytes(0)),
              ctx + ": open reader");
      Compactor compactor =
          retry(() -> db.openCompactor(CompactorOptions.defaults().withL0Trigger(4)), ctx);
      GarbageCollector gc = retry(() -> db.openGarbageCollector(GcOptions.defaults()), ctx);
      Model committed = new Model();
      Map<byte[], byte[]> pending = new TreeMap<>(Bytes.COMPARATOR);
      int keySpace = 200;
      for (int op = 0; op < operations; op++) {
        String at = ctx + ", op " + op;
        int r = rnd.nextInt(1000);
        byte[] key = ("k" + rnd.nextInt(keySpace)).getBytes();
        if (r < 550) {
          byte[] v = new byte[rnd.nextInt(12) == 0 ? 2048 + rnd.nextInt(3000) : rnd.nextInt(80)];
          rnd.nextBytes(v);
          writer.put(key, v);
          pending.put(key, v);
        } else if (r < 700) {
          writer.delete(key);
          pending.put(key, null);
        } else if (r < 800) {
          if (r < 715) {
            // A burst: either every append of this flush fails (the writer gives up: nothing is
            // committed), or the append lands and all its responses are lost (ambiguous).
            if (rnd.nextBoolean()) {
              faulty.failNext(Operation.CREATE_IF_ABSENT, 40);
            } else {
              // 4 exhaust the appender's retries of one flush attempt: the next attempt must find
              // its memtable committed. 4 per attempt for every attempt: the flush fails although
              // it committed.
              int perAttempt = 4;
              int attempts = wo.flushRetries() + 1;
              faulty.loseNextResponses(
                  Operation.CREATE_IF_ABSENT,
                  rnd.nextBoolean()
                      ? perAttempt * (1 + rnd.nextInt(attempts - 1))
                      : perAttempt * attempts);
            }
          }
          try {
            writer.flush();
            committed.apply(pending);
          } catch (RuntimeException e) {
            assertInjected(e, at + ": flush");
            writerFailures++;
            // All or nothing: the lost flush is either wholly committed or not at all.
            Model with = committed.copy();
            with.apply(pending);
            retry(oracle::refresh, at);
            List<KV> actual = scan(oracle);
            if (same(actual, with.all())) {
              committed = with;
              lostFlushesCommitted++;
            } else {
              assertThat(actual)
                  .as("%s: after a failed flush the data is all of it or none of it", at)
                  .containsExactlyElementsOf(committed.all());
            }
            Writer failed = writer;
            try {
              failed.close();
            } catch (RuntimeException closeFailure) {
              assertInjected(closeFailure, at + ": close of the failed writer");
            }
            writer = retry(() -> db.openWriter(wo), at + ": reopen writer");
          }
          pending.clear();
        } else if (r < 860) {
          // A read of the newest version: exactly the model, or an injected failure.
          try {
            long version = reader.refresh();
            String where = at + ", reader at version " + version;
            assertThat(version)
                .as("%s: refresh reaches the newest version (fault-free view)", where)
                .isEqualTo(retry(oracle::refresh, at));
            assertThat(scan(reader))
                .as("%s: full scan", where)
                .containsExactlyElementsOf(committed.all());
            for (int i = 0; i < 5; i++) {
              byte[] k = ("k" + rnd.nextInt(keySpace)).getBytes();
              Optional<byte[]> got = reader.get(k);
              byte[] want = committed.map.get(k);
              assertThat(got.orElse(null)).as("%s: get %s", at, new String(k)).isEqualTo(want);
            }
            verifiedReads++;
          } catch (RuntimeException e) {
            assertInjected(e, at + ": read");
          }
        } else if (r < 900) {
          try {
            compactor.runOnce();
          } catch (RuntimeException e) {
            assertInjected(e, at + ": compaction");
          }
        } else if (r < 930) {
          try {
            gc.runOnce();
          } catch (RuntimeException e) {
            assertInjected(e, at + ": gc");
          }
          clock.advance(Duration.ofMinutes(3));
        } else if (r < 935) {
          // Close and reopen the writer (close flushes).
          try {
            writer.close();
            committed.apply(pending);
            pending.clear();
          } catch (RuntimeException e) {
            assertInjected(e, at + ": close");
            Model with = committed.copy();
            with.apply(pending);
            retry(oracle::refresh, at);
            List<KV> actual = scan(oracle);
            committed = same(actual, with.all()) ? with : committed;
            assertThat(actual)
                .as("%s: after a failed close", at)
                .containsExactlyElementsOf(committed.all());
            pending.clear();
          }
          writer = retry(() -> db.openWriter(wo), at + ": reopen writer");
        }
      }
      writer.flush();
      committed.apply(pending);
      writer.close();
      // Whatever failed on the way, storage holds exactly the acknowledged state.
      oracle.refresh();
      assertThat(scan(oracle))
          .as("%s: final state", ctx)
          .containsExactlyElementsOf(committed.all());
      String summary =
          String.format(
              "%s: %d injected errors, %d lost responses, %d hidden listing entries; %d loud"
                  + " failures, %d writer failures (%d of them had committed), %d verified reads",
              ctx,
              faulty.injected(Fault.ERROR),
              faulty.injected(Fault.LOST_RESPONSE),
              faulty.injected(Fault.HIDDEN_FROM_LISTING),
              injectedFailures,
              writerFailures,
              lostFlushesCommitted,
              verifiedReads);
      System.out.println("faults: " + summary);
      assertThat(writerFailures)
          .as("%s: writers that failed and were reopened", summary)
          .isPositive();
      assertThat(lostFlushesCommitted)
          .as("%s: failed flushes whose commit had landed", summary)
          .isPositive();
      assertThat(verifiedReads).as("%s: reads verified", summary).isGreaterThan(30);
      reader.close();
      compactor.close();
      gc.close();
    }
  }
}
