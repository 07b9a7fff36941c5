package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStatsSummarySnapshot;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The flink-job group: whole jobs ({@link BenchJobs}) on a local MiniCluster of parallelism 2 per
 * state backend, in a child JVM for the same class path reason as {@link FlinkStateSuite}.
 *
 * <ul>
 *   <li>{@code job.window} and {@code job.join}: records/s the keyed operator processes at steady
 *       state, one figure per measured window after the warm-up, with checkpoints running.
 *   <li>{@code job.idle} (isle backends only): object-store requests per minute of a join job whose
 *       sources stopped after loading its state, checkpoints still running; with the requests per
 *       checkpoint by kind.
 * </ul>
 *
 * <p>The smoke mode (tests) runs every job on the isle backends and the window job on the first
 * peer only: the peers run the same DataStream code (one job proves the wiring), and the
 * flink-state group's smoke mode already proves that each peer loads here.
 */
public final class FlinkJobSuite {
  /** Jobs in table order. */
  public static final List<String> JOBS = List.of("window", "join");

  /** The group of every result, in {@link Runs#details}. */
  public static final String GROUP = "flink-job";

  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private FlinkJobSuite() {}

  /** Runs the group for {@code backends} in a child JVM and returns its results. */
  public static List<Runs> run(JobSettings s, Collection<String> backends) throws Exception {
    Path work = Files.createDirectories(Path.of(s.work()));
    Path settings = Files.createTempFile(work, "flink-job-settings-", ".json");
    new ObjectMapper().writeValue(settings.toFile(), s);
    try {
      return ChildJvm.run(
          GROUP,
          work,
          List.of(),
          FlinkJobSuite.class,
          out -> List.of(settings.toString(), out.toString(), String.join(",", backends)));
    } finally {
      Files.deleteIfExists(settings);
    }
  }

  /** The child JVM: {@code SETTINGS_JSON OUT BACKENDS}. */
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JobSettings s = json.readValue(Path.of(args[0]).toFile(), JobSettings.class);
    List<Map<String, Object>> out = new ArrayList<>();
    boolean smoke = s.suite().equals("smoke");
    boolean peerRan = false;
    try (JobCluster cluster = new JobCluster(s)) {
      for (String backend : args[2].split(",")) {
        boolean isle = backend.startsWith("isle-");
        if (smoke && !isle && peerRan) {
          continue;
        }
        peerRan |= !isle;
        out.add(throughput(cluster, s, "window", backend, e -> BenchJobs.window(e, s)).toMap());
        if (isle || !smoke) {
          out.add(
              throughput(cluster, s, "join", backend, e -> BenchJobs.join(e, s, Long.MAX_VALUE))
                  .toMap());
        }
        if (isle) {
          out.add(idle(cluster, s, backend).toMap());
        }
      }
    }
    json.writeValue(Path.of(args[1]).toFile(), out);
    // MiniCluster leaves non-daemon threads behind on some paths; the results are written.
    System.exit(0);
  }

  /** Records/s of one job on one backend: warm-up, then {@link JobSettings#runs()} windows. */
  static Runs throughput(
      JobCluster cluster,
      JobSettings s,
      String job,
      String backend,
      Consumer<StreamExecutionEnvironment> build)
      throws Exception {
    System.out.printf("  flink-job %s on %s%n", job, backend);
    long submitted = System.nanoTime();
    JobCluster.Running r = cluster.submit(job, backend, build);
    try {
      r.awaitProcessed(1, START_TIMEOUT);
      double startup = (System.nanoTime() - submitted) / 1e9;
      Thread.sleep(s.warmupMillis());
      Runs x = new Runs("job." + job, backend, "records/s");
      long ck0 = r.completedCheckpoints();
      Map<String, Long> req0 = r.isleRequests();
      long start = System.nanoTime();
      for (int i = 0; i < s.runs(); i++) {
        long c0 = BenchJobs.PROCESSED.sum();
        S3ServerCpu.Mark cpu = S3ServerCpu.mark();
        long t0 = System.nanoTime();
        Thread.sleep(s.runMillis());
        long c1 = BenchJobs.PROCESSED.sum();
        x.add((c1 - c0) / ((System.nanoTime() - t0) / 1e9));
        S3ServerCpu.add(x, cpu);
        r.checkRunning();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long checkpoints = r.completedCheckpoints() - ck0;
      details(x, job, r, seconds, checkpoints);
      x.details.put("startup_s", Math.round(startup * 10) / 10.0);
      if (backend.startsWith("isle-")) {
        requests(x, minus(r.isleRequests(), req0), checkpoints);
      }
      System.out.println("    " + x);
      return x;
    } finally {
      cancel(r);
    }
  }

  /**
   * Requests of an idle isle job: a join job whose sources stop after {@link
   * JobSettings#idleRecords()} records each; measured after two more checkpoints (the last records'
   * memtables reached storage), over {@link JobSettings#idleMillis()} split into {@link
   * JobSettings#runs()} intervals, each scaled to a minute.
   */
  static Runs idle(JobCluster cluster, JobSettings s, String backend) throws Exception {
    System.out.printf("  flink-job idle on %s%n", backend);
    long submitted = System.nanoTime();
    JobCluster.Running r =
        cluster.submit("idle", backend, e -> BenchJobs.join(e, s, s.idleRecords()));
    try {
      r.awaitProcessed(2L * s.parallelism() * s.idleRecords(), START_TIMEOUT);
      double loaded = (System.nanoTime() - submitted) / 1e9;
      awaitCheckpoints(r, r.completedCheckpoints() + 2);
      Runs x = new Runs("job.idle", backend, "requests/min");
      long ck0 = r.completedCheckpoints();
      Map<String, Long> first = r.isleRequests();
      long start = System.nanoTime();
      long slice = Math.max(1, s.idleMillis() / s.runs());
      for (int i = 0; i < s.runs(); i++) {
        Map<String, Long> a = r.isleRequests();
        S3ServerCpu.Mark cpu = S3ServerCpu.mark();
        long t0 = System.nanoTime();
        Thread.sleep(slice);
        Map<String, Long> b = r.isleRequests();
        x.add(minus(b, a).getOrDefault("all", 0L) * 60e9 / (System.nanoTime() - t0));
        S3ServerCpu.add(x, cpu);
        r.checkRunning();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long checkpoints = r.completedCheckpoints() - ck0;
      Map<String, Long> req = minus(r.isleRequests(), first);
      Map<String, Object> perMinute = new TreeMap<>();
      req.forEach((k, v) -> perMinute.put(k, Math.round(v * 60 / seconds * 10) / 10.0));
      details(x, "idle", r, seconds, checkpoints);
      x.details.put("records_loaded", 2L * s.parallelism() * s.idleRecords());
      x.details.put("load_s", Math.round(loaded * 10) / 10.0);
      x.details.put("requests_per_minute", perMinute);
      requests(x, req, checkpoints);
      System.out.println("    " + x);
      return x;
    } finally {
      cancel(r);
    }
  }

  private static void details(
      Runs x, String job, JobCluster.Running r, double seconds, long checkpoints) throws Exception {
    x.details.put("group", GROUP);
    x.details.put("job", job);
    x.details.put("state_backend", r.graph().getStateBackendName().orElse("?"));
    x.details.put("measured_s", Math.round(seconds * 10) / 10.0);
    x.details.put("checkpoints_measured", checkpoints);
    CompletedCheckpointStatsSummarySnapshot sum = r.stats().getSummaryStats();
    x.details.put("checkpoints_completed_total", r.completedCheckpoints());
    x.details.put("checkpoint_ms_avg", sum.getEndToEndDurationStats().getAverage());
    x.details.put("checkpointed_bytes_avg", sum.getCheckpointedSize().getAverage());
    x.details.put("state_bytes_avg", sum.getStateSizeStats().getAverage());
  }

  private static void cancel(JobCluster.Running r) throws Exception {
    long t0 = System.nanoTime();
    r.cancel();
    System.out.printf("    cancelled in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void awaitCheckpoints(JobCluster.Running r, long count) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (r.completedCheckpoints() < count) {
      r.checkRunning();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "job on " + r.backend + " completed no " + count + " checkpoints in " + START_TIMEOUT);
      }
      Thread.sleep(50);
    }
  }

  static Map<String, Long> minus(Map<String, Long> b, Map<String, Long> a) {
    Map<String, Long> d = new TreeMap<>();
    b.forEach((k, v) -> d.put(k, v - a.getOrDefault(k, 0L)));
    return d;
  }

  /**
   * Puts the requests of a measured interval and the requests by kind per completed checkpoint
   * (empty if none completed) into {@code x}'s details.
   */
  static void requests(Runs x, Map<String, Long> req, long checkpoints) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (checkpoints > 0) {
      req.forEach((k, v) -> m.put(k, Math.round(v * 10.0 / checkpoints) / 10.0));
    }
    x.details.put("requests_measured", req);
    x.details.put("requests_per_checkpoint", m);
  }
}
