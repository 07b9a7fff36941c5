package io.isledb.bench;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.DbContext;
import io.isledb.db.engine.Database;
import io.isledb.testing.PostgresServer;
import io.isledb.testing.S3ProxyServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The {@code commit} workload (issue 16): small commits, one put and a flush that publishes a
 * manifest version, as a Flink checkpoint does per subtask, for each combination of tables on
 * file:// or s3a:// and the manifest on the object store or in PostgreSQL. The PostgreSQL server is
 * isle-core's test server ({@link PostgresServer}, from the test-jar this module depends on: Maven
 * Central binaries, a fresh cluster on a random port of 127.0.0.1, stopped at the end).
 *
 * <p>Each combination is a fresh database with its writer only (no compactor, so the figures are
 * the commit path alone). Per measured run: commits per second over the run; over all measured
 * runs: the flush latency percentiles and the requests per commit on the object store (the writer's
 * store: tables, and the manifest too when it lives there) and on the manifest store (JDBC
 * statements; none apart for the object-store manifest, whose requests are the object store's).
 */
public final class ManifestCommits {
  /** The workload's name in the results. */
  public static final String WORKLOAD = "commit";

  /** The manifest stores compared, the object store (the reference of the ratios) first. */
  public static final List<String> MANIFESTS = List.of("object-store", "jdbc");

  private ManifestCommits() {}

  /** The engine name of one combination, e.g. {@code isle-file+jdbc}. */
  public static String engine(String tables, String manifest) {
    return tables + "+" + manifest;
  }

  /**
   * Commits timed per measured run at {@code scale} (the warm-up run does half as many): twice the
   * tail workload's, 200 in the standard suite, 10 in the quick one.
   */
  static int commitsPerRun(Scale scale) {
    return Math.max(4, 2 * scale.tailCommits());
  }

  /**
   * Starts the workload's PostgreSQL server in the background (initdb takes seconds: the harness
   * overlaps it with the start of the S3 server); the caller closes it through {@link #stop}.
   */
  public static CompletableFuture<PostgresServer> startServer() {
    return CompletableFuture.supplyAsync(PostgresServer::startNew);
  }

  /** Stops a server of {@link #startServer} (waiting for its start first); null is ignored. */
  public static void stop(CompletableFuture<PostgresServer> server) {
    if (server != null) {
      try {
        server.join().close();
      } catch (CompletionException e) {
        // it never started: nothing to stop, and run() reported the failure if it needed it
      }
    }
  }

  /**
   * Runs every combination of the table stores in {@code tables} ({@code isle-file}, {@code
   * isle-s3a}) with both manifest stores.
   *
   * @param fileUri the file:// URI of the isle-file tables
   * @param s3 the S3 server of the isle-s3a tables (null if not in {@code tables})
   * @param pg the PostgreSQL server of the jdbc manifest store
   */
  public static List<Runs> run(
      Scale scale,
      long seed,
      List<String> tables,
      String fileUri,
      S3ProxyServer s3,
      PostgresServer pg) {
    List<Runs> out = new ArrayList<>();
    ManifestStoreConfig jdbc = ManifestStoreConfig.jdbc(pg.jdbcUrl(), pg.user(), pg::password);
    for (String t : tables) {
      String uri = t.equals("isle-s3a") ? s3.bucketUri() : fileUri;
      Map<String, String> conf = t.equals("isle-s3a") ? DbBench.s3aConf(s3) : Map.of();
      for (String m : MANIFESTS) {
        ManifestStoreConfig cfg = m.equals("jdbc") ? jdbc : ManifestStoreConfig.objectStore();
        out.add(measure(scale, seed, engine(t, m), uri, conf, cfg));
      }
    }
    return out;
  }

  private static Runs measure(
      Scale scale,
      long seed,
      String engine,
      String uri,
      Map<String, String> conf,
      ManifestStoreConfig manifest) {
    Runs out = new Runs(WORKLOAD, engine, "commits/s");
    BenchData data = new BenchData(seed);
    int n = commitsPerRun(scale);
    Latencies latency = new Latencies(n * scale.runs());
    Map<String, Long> storeRequests = new TreeMap<>();
    Map<String, Long> manifestRequests = new TreeMap<>();
    long measured = 0;
    String prefix = "commit-" + ProcessHandle.current().pid() + "-" + engine.replace('+', '-');
    try (ObjectStore store = IsleDB.openStore(uri, prefix + "-" + System.nanoTime(), conf)) {
      // The engine's own context, to read the manifest store's request counts (no public API).
      DbContext ctx = new DbContext(store, DBOptions.defaults().withManifestStore(manifest));
      boolean separate = manifest.kind() != ManifestStoreConfig.Kind.OBJECT_STORE;
      try (IsleDB db = Database.open(ctx);
          Writer w = db.openWriter(WriterOptions.defaults())) {
        byte[] k = new byte[BenchData.KEY_SIZE];
        long key = 0;
        for (int run = 0; run <= scale.runs(); run++) {
          int commits = run == 0 ? n / 2 : n;
          RequestStats s0 = store.stats();
          RequestStats m0 = ctx.manifestStore().stats();
          long t0 = System.nanoTime();
          for (int c = 0; c < commits; c++) {
            key++;
            w.put(BenchData.key(key, k), data.value(key));
            long f0 = System.nanoTime();
            w.flush();
            if (run > 0) {
              latency.add(System.nanoTime() - f0);
            }
          }
          double secs = (System.nanoTime() - t0) / 1e9;
          if (run > 0) {
            out.add(commits / secs);
            measured += commits;
            Workloads.addRequests(storeRequests, store.stats().minus(s0));
            if (separate) {
              Workloads.addRequests(manifestRequests, ctx.manifestStore().stats().minus(m0));
            }
          }
        }
      }
    }
    out.details.put("manifest_store", manifest.kind().optionValue());
    out.details.put("commits_per_run", n);
    out.details.put("commit_latency", latency.summaryMicros());
    out.details.put("object_store_requests_per_commit", perCommit(storeRequests, measured));
    out.details.put("manifest_store_requests_per_commit", perCommit(manifestRequests, measured));
    System.out.printf("  %s%n", out);
    return out;
  }

  /** Requests per commit by kind (two decimals: a commit is a handful of requests) and in all. */
  private static Map<String, Object> perCommit(Map<String, Long> counts, long commits) {
    Map<String, Object> m = new LinkedHashMap<>();
    long total = 0;
    for (var e : counts.entrySet()) {
      if (!e.getKey().startsWith("http.") && e.getValue() != 0) {
        m.put(e.getKey(), Math.round(100.0 * e.getValue() / commits) / 100.0);
        total += e.getValue();
      }
    }
    m.put("total", commits == 0 ? 0.0 : Math.round(100.0 * total / commits) / 100.0);
    return m;
  }
}
