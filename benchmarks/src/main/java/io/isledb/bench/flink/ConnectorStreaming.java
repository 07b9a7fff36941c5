package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The streaming read of the flink-connector group on one format: an unbounded SQL read of the
 * changes committed after it starts ('latest'), both sources polling every {@code pollMillis},
 * while sequential batch {@code INSERT} jobs commit {@code streamCommits} small batches, each after
 * a seeded random pause of up to one poll interval (so commits fall at every phase of the poll),
 * then one bulk commit of {@code streamBulkRows} rows.
 *
 * <p>Commit-to-emit latency of a row: the wall-clock time its row reached the job's sink minus the
 * commit time of the version or snapshot holding it. Isle: the row's {@code commit_time} metadata;
 * Paimon: the {@code timeMillis} of the APPEND snapshot its writer job created (read from the
 * snapshot file). Both are the committing process's clock (this JVM), taken just before the commit
 * becomes visible. Throughput: the bulk commit's rows over the time from its commit to its last row
 * at the sink.
 */
final class ConnectorStreaming {
  private static final long WAIT_MILLIS = 120_000;
  private static final String TABLE = "changes";
  private final ConnectorSettings s;
  private final ConnectorCluster cluster;
  private final Random random;
  private final List<long[]> emitted = new ArrayList<>();
  private long lastSnapshot = 0;

  ConnectorStreaming(ConnectorSettings s, ConnectorCluster cluster, long seed) {
    this.s = s;
    this.cluster = cluster;
    this.random = new Random(seed);
  }

  /** Runs the workload; returns latency p50 and p99 (ms) and throughput (rows/s). */
  List<Runs> run(ConnectorTables tables, String format, double roundTripMillis) throws Exception {
    EmitRecorder.drain();
    commit(tables, 0, s.streamBatchRows());
    StreamExecutionEnvironment env = cluster.env(false);
    StreamTableEnvironment t = ConnectorCluster.tableEnv(env, false);
    tables.prepare(t);
    tables.create(t, TABLE);
    String cols = tables.isPaimon() ? "id, CAST(qty AS BIGINT)" : "id, CAST(qty AS BIGINT), ct";
    t.toChangelogStream(
            t.sqlQuery("SELECT " + cols + " FROM " + tables.ref(TABLE) + " " + tables.streamHint()))
        .sinkTo(new EmitRecorder());
    JobClient reader = env.executeAsync("flink-connector stream reader " + format);
    try {
      long deadline = System.currentTimeMillis() + WAIT_MILLIS;
      while (reader.getJobStatus().get() != JobStatus.RUNNING) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the stream reader on " + format + " did not start");
        }
        Thread.sleep(20);
      }
      // Let the sources take their starting position before the first commit; the warm-up
      // commit (batch 1) proves they did.
      Thread.sleep(2 * s.pollMillis());
      long c = commit(tables, 1, s.streamBatchRows());
      await(format, 1, s.streamBatchRows(), c);
      List<Double> latencies = new ArrayList<>();
      S3ServerCpu.Mark cpu0 = S3ServerCpu.mark();
      for (int b = 2; b < 2 + s.streamCommits(); b++) {
        Thread.sleep(random.nextInt((int) s.pollMillis()));
        c = commit(tables, b, s.streamBatchRows());
        for (long[] e : await(format, b, s.streamBatchRows(), c)) {
          latencies.add((double) (e[1] - e[2]));
        }
      }
      S3ServerCpu.Mark cpu1 = S3ServerCpu.mark();
      int bulk = 2 + s.streamCommits();
      c = commit(tables, bulk, s.streamBulkRows());
      List<long[]> rows = await(format, bulk, s.streamBulkRows(), c);
      long last = rows.stream().mapToLong(e -> e[1]).max().orElseThrow();
      long first = rows.stream().mapToLong(e -> e[1]).min().orElseThrow();
      List<Runs> out =
          results(format, latencies, roundTripMillis, s.streamBulkRows(), first, last, rows);
      // The server's CPU over the latency commits (the reader's polls included) and the bulk.
      S3ServerCpu.add(out.get(0), cpu0, cpu1);
      S3ServerCpu.add(out.get(1), cpu0, cpu1);
      S3ServerCpu.add(out.get(2), cpu1);
      return out;
    } finally {
      reader.cancel().get();
    }
  }

  private List<Runs> results(
      String format,
      List<Double> latencies,
      double rtt,
      long bulkRows,
      long first,
      long last,
      List<long[]> bulk) {
    latencies.sort(null);
    long commit = bulk.get(0)[2];
    List<Runs> out = new ArrayList<>();
    for (String p : List.of("p50", "p99")) {
      Runs r = new Runs(ConnectorWorkloads.PREFIX + "stream-latency-" + p, format, "ms");
      r.add(percentile(latencies, p.equals("p50") ? 0.50 : 0.99));
      r.details.put("commits", s.streamCommits());
      r.details.put("rows_per_commit", s.streamBatchRows());
      r.details.put("max_ms", latencies.get(latencies.size() - 1));
      r.details.put("poll_interval_ms", s.pollMillis());
      r.details.put("round_trip_ms", rtt);
      r.details.put("goal_ms", s.pollMillis() + 2 * rtt);
      out.add(ConnectorWorkloads.group(r));
    }
    Runs tp = new Runs(ConnectorWorkloads.PREFIX + "stream-throughput", format, "rows/s");
    tp.add(bulkRows / Math.max(0.001, (last - commit) / 1000.0));
    tp.details.put("rows", bulkRows);
    tp.details.put("commit_to_first_row_ms", first - commit);
    tp.details.put("commit_to_last_row_ms", last - commit);
    out.add(ConnectorWorkloads.group(tp));
    return out;
  }

  static double percentile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /**
   * Commits {@code rows} new rows (ids {@code batch * 10^9 ..}, column qty = batch) in one batch
   * job; returns the commit time for Paimon (from its new APPEND snapshot), -1 for isle (its rows
   * carry theirs).
   */
  private long commit(ConnectorTables tables, int batch, long rows) throws Exception {
    StreamExecutionEnvironment env = cluster.env(true);
    StreamTableEnvironment t = ConnectorCluster.tableEnv(env, true);
    tables.prepare(t);
    tables.create(t, TABLE);
    ConnectorWorkloads.sequence(t, env, rows);
    t.executeSql(
            "INSERT INTO "
                + tables.ref(TABLE)
                + " SELECT id + "
                + batch * 1_000_000_000L
                + ", customer, amount, "
                + batch
                + ", ts, note FROM ("
                + ConnectorWorkloads.generated(rows)
                + ")")
        .await();
    return tables.isPaimon() ? paimonCommitMillis(tables.snapshotDir(TABLE)) : -1;
  }

  /** The time of the newest APPEND snapshot after the last one seen. */
  private long paimonCommitMillis(Path dir) throws IOException {
    long found = -1;
    List<Path> files;
    try (Stream<Path> l = Files.list(dir)) {
      files = l.filter(p -> p.getFileName().toString().matches("snapshot-\\d+")).toList();
    }
    long newest = lastSnapshot;
    ObjectMapper json = new ObjectMapper();
    for (Path f : files) {
      long id = Long.parseLong(f.getFileName().toString().substring("snapshot-".length()));
      if (id > lastSnapshot) {
        JsonNode n = json.readTree(f.toFile());
        if ("APPEND".equals(n.path("commitKind").asText()) && found < 0) {
          found = n.path("timeMillis").asLong();
        }
        newest = Math.max(newest, id);
      }
    }
    lastSnapshot = newest;
    if (found < 0) {
      throw new IllegalStateException("no new APPEND snapshot in " + dir);
    }
    return found;
  }

  /**
   * Waits until {@code rows} rows of {@code batch} reached the sink; returns them as {batch, emit
   * millis, commit millis} with the commit time filled in for Paimon.
   */
  private List<long[]> await(String format, int batch, long rows, long commitMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (true) {
      emitted.addAll(EmitRecorder.drain());
      List<long[]> mine = new ArrayList<>();
      for (long[] e : emitted) {
        if (e[0] == batch) {
          mine.add(commitMillis >= 0 ? new long[] {e[0], e[1], commitMillis} : e);
        }
      }
      if (mine.size() >= rows) {
        emitted.removeIf(e -> e[0] == batch);
        return mine;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            format + ": " + mine.size() + " of " + rows + " rows of commit " + batch + " arrived");
      }
      Thread.sleep(2);
    }
  }
}
