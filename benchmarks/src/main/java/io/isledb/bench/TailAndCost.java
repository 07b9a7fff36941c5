package io.isledb.bench;

import io.isledb.Change;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** The tailing-reader workloads and the idle request cost of every IsleDB role. */
public final class TailAndCost {
  /** Poll interval of the tail latency workload (the default is 1 s). */
  public static final Duration TAIL_POLL = Duration.ofMillis(50);

  private final Scale scale;
  private final BenchData data;

  /** Workloads at {@code scale}. */
  public TailAndCost(Scale scale, long seed) {
    this.scale = scale;
    this.data = new BenchData(seed);
  }

  /**
   * Commit-to-emit latency: commits of {@link Scale#tailBatch()} puts each, a tailing reader
   * polling every {@link #TAIL_POLL} in another thread; the time from the commit (flush returned)
   * to the moment the last change of the commit is handed to the tail's handler.
   */
  public Runs tailLatency(String engineName, IsleEngine e) throws Exception {
    Runs out = new Runs("tail-latency", engineName, "ms (p50)");
    Latencies commitToEmit = new Latencies(scale.tailCommits() * scale.runs());
    Latencies flushToEmit = new Latencies(scale.tailCommits() * scale.runs());
    try (ObjectStore s = e.openStore();
        TailingReader tr =
            IsleDB.openTailingReader(
                s, TailingReaderOptions.defaults().withPollInterval(TAIL_POLL))) {
      ConcurrentHashMap<Long, Long> emitted = new ConcurrentHashMap<>();
      AtomicReference<Exception> failure = new AtomicReference<>();
      TailPosition from = tr.latest();
      Thread t =
          new Thread(
              () -> {
                try {
                  tr.tail(
                      from,
                      (Change c) -> {
                        long idx = BenchData.indexOf(c.key());
                        if (idx >= 1_000_000_000_000L) {
                          emitted.putIfAbsent(idx, System.nanoTime());
                        }
                      });
                } catch (Exception ex) {
                  failure.set(ex);
                }
              },
              "bench-tail");
      t.setDaemon(true);
      t.start();
      byte[] k = new byte[BenchData.KEY_SIZE];
      long commit = 0;
      for (int run = 0; run <= scale.runs(); run++) {
        int n = run == 0 ? Math.max(1, scale.tailCommits() / 4) : scale.tailCommits();
        Latencies runLat = new Latencies(n);
        for (int c = 0; c < n; c++) {
          commit++;
          for (int i = 0; i < scale.tailBatch() - 1; i++) {
            e.put(BenchData.key(i, k), data.value(i));
          }
          long marker = 1_000_000_000_000L + commit; // written last: its emission ends the commit
          e.put(BenchData.key(marker, k), data.value(commit));
          long t0 = System.nanoTime();
          e.flush();
          long t1 = System.nanoTime();
          long deadline = t1 + 30_000_000_000L;
          Long at;
          while ((at = emitted.get(marker)) == null) {
            if (failure.get() != null) {
              throw failure.get();
            }
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("tail did not emit commit " + commit + " in 30 s");
            }
            Thread.sleep(0, 200_000);
          }
          if (run > 0) {
            commitToEmit.add(Math.max(0, at - t1));
            flushToEmit.add(at - t0);
            runLat.add(Math.max(0, at - t1));
          }
          Thread.sleep(5);
        }
        if (run > 0) {
          out.add(runLat.percentile(50) / 1e6);
        }
      }
      tr.close();
      t.join(5_000);
    }
    out.details.put("poll_interval_ms", TAIL_POLL.toMillis());
    out.details.put("puts_per_commit", scale.tailBatch());
    out.details.put("commit_to_emit", commitToEmit.summaryMicros());
    out.details.put("flush_start_to_emit", flushToEmit.summaryMicros());
    System.out.printf("  %s%n", out);
    return out;
  }

  /**
   * Tail throughput: {@link Scale#tailBacklog()} puts committed in commits of 10,000, then a new
   * tailing reader catches up from before them; changes emitted per second.
   */
  public Runs tailThroughput(String engineName, IsleEngine e) {
    Runs out = new Runs("tail-throughput", engineName, "changes/s");
    byte[] k = new byte[BenchData.KEY_SIZE];
    for (int run = 0; run <= scale.runs(); run++) {
      int n = run == 0 ? Math.max(1, scale.tailBacklog() / 4) : scale.tailBacklog();
      TailPosition from;
      try (ObjectStore s = e.openStore();
          TailingReader tr = IsleDB.openTailingReader(s, TailingReaderOptions.defaults())) {
        from = tr.latest();
      }
      for (int i = 0; i < n; i++) {
        e.put(BenchData.key(i, k), data.value(i));
        if ((i + 1) % 10_000 == 0) {
          e.flush();
        }
      }
      e.flush();
      try (ObjectStore s = e.openStore();
          TailingReader tr = IsleDB.openTailingReader(s, TailingReaderOptions.defaults())) {
        long t0 = System.nanoTime();
        long got = 0;
        TailPosition pos = from;
        while (got < n) {
          TailBatch b = tr.poll(pos, 10_000);
          got += b.changes().size();
          if (b.changes().isEmpty() && b.next().equals(pos)) {
            throw new IllegalStateException("tail stopped after " + got + " of " + n);
          }
          pos = b.next();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (run > 0) {
          out.add(got / secs);
        }
      }
    }
    System.out.printf("  %s%n", out);
    return out;
  }

  /**
   * Requests per idle minute of a writer (nothing to flush), a reader refreshing every second, a
   * tailing reader polling every second (the defaults) and a merge compactor looking for work every
   * second (the default), each on its own store, over {@link Scale#idleSeconds()}.
   */
  public Map<String, Object> idleCost(IsleEngine e) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    e.flush();
    try (ObjectStore rs = e.openStore();
        ObjectStore ts = e.openStore();
        ObjectStore cs = e.openStore();
        Reader reader =
            IsleDB.openReader(
                rs, ReaderOptions.defaults().withAutoRefreshInterval(Duration.ofSeconds(1)));
        TailingReader tail = IsleDB.openTailingReader(ts, TailingReaderOptions.defaults());
        IsleDB cdb = IsleDB.open(cs, DBOptions.defaults());
        Compactor compactor = cdb.openCompactor(CompactorOptions.defaults())) {
      TailPosition from = tail.latest();
      Thread t =
          new Thread(
              () -> {
                try {
                  tail.tail(from, c -> {});
                } catch (Exception ex) {
                  // stopped
                }
              },
              "bench-idle-tail");
      t.setDaemon(true);
      t.start();
      // Finish every compaction the policy wants first, so the window is really idle (earlier
      // workloads left many small L0 tables behind).
      while (compactor.runOnce().isPresent()) {
        // keep compacting
      }
      compactor.start();
      // Let every role settle into its idle loop.
      long settleDeadline = System.nanoTime() + 120_000_000_000L;
      long lastWrites = -1;
      while (System.nanoTime() < settleDeadline) {
        Thread.sleep(Math.min(3000, scale.idleSeconds() * 1000L));
        long writes = cs.stats().puts();
        if (writes == lastWrites) {
          break;
        }
        lastWrites = writes;
      }
      RequestStats w0 = e.store().stats();
      RequestStats r0 = rs.stats();
      RequestStats t0 = ts.stats();
      RequestStats c0 = cs.stats();
      long start = System.nanoTime();
      Thread.sleep(scale.idleSeconds() * 1000L);
      double minutes = (System.nanoTime() - start) / 60e9;
      out.put("window_seconds", scale.idleSeconds());
      out.put("writer", perMinute(e.store().stats().minus(w0), minutes));
      out.put("reader", perMinute(rs.stats().minus(r0), minutes));
      out.put("tailing_reader", perMinute(ts.stats().minus(t0), minutes));
      out.put("compactor", perMinute(cs.stats().minus(c0), minutes));
      tail.close();
      t.join(5_000);
    }
    System.out.printf("  idle requests per minute: %s%n", out);
    return out;
  }

  private static Map<String, Object> perMinute(RequestStats d, double minutes) {
    Map<String, Long> counts = new TreeMap<>();
    Workloads.addRequests(counts, d);
    Map<String, Object> m = Workloads.perUnit(counts, minutes);
    m.put("total", Workloads.round(d.total() / minutes));
    return m;
  }
}
