package io.isledb.bench;

import io.isledb.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Only the readrandom-cold workload, repeated: prepares each engine's read database once (the same
 * fillseq + full compaction as the suite), then runs {@link Workloads#readCold} {@code rounds}
 * times, the engines alternating in every round so they see the same machine load. For profiling
 * and before/after comparisons of the cold read path without the whole suite (which rewrites the
 * report).
 *
 * <pre>
 * java -Xms6g -Xmx6g -XX:+AlwaysPreTouch -XX:+UseParallelGC -cp ... \
 *     io.isledb.bench.ColdReads [keys] [coldReads] [rounds] [engines] [work dir]
 * </pre>
 *
 * <p>The JVM options are the suite's ({@code bench.heap} in the module's pom): one fixed,
 * pre-touched heap for both engines. IsleDB's block cache lives on the Java heap, so every cold
 * lookup allocates its decoded block (about 17 KB here, {@code alloc_bytes_per_lookup}); on a heap
 * that starts small and grows, those bytes land on pages the kernel maps on first touch ({@code
 * minor_faults_per_lookup}) and young collections come often, each copying the blocks cached since
 * the last. RocksDB's cache is native memory and its JVM allocates only the returned values, so the
 * same options cost it nothing. Lookups slower than {@code -Dbench.slowMicros} (1000) are logged
 * with the JVM's uptime, to be lined up with {@code -Xlog:gc*:file=gc.log:uptime}.
 */
public final class ColdReads {
  private ColdReads() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int coldReads = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String[] engines = (args.length > 3 ? args[3] : "rocksdb,isle-file").split(",");
    Path work = Path.of(args.length > 4 ? args[4] : "target/bench-cold").toAbsolutePath();
    Files.createDirectories(work);
    Scale base = Scale.standard();
    Scale scale =
        new Scale(
            "cold",
            keys,
            base.readOps(),
            coldReads,
            base.seekOps(),
            base.rwSeconds(),
            base.writeRate(),
            base.tailCommits(),
            base.tailBatch(),
            base.tailBacklog(),
            base.visibilityIterations(),
            base.idleSeconds(),
            3,
            base.rawBytes());
    Workloads w = new Workloads(scale, 20261124L);
    boolean s3a = List.of(engines).contains("isle-s3a");
    try (S3ProxyServer s3 = s3a ? S3ProxyServer.start() : null) {
      Map<String, Engine> open = new LinkedHashMap<>();
      try {
        for (String name : engines) {
          Map<String, Object> notes = new LinkedHashMap<>();
          open.put(name, w.prepareReadDb(DbBench.factory(name, work, s3), notes));
          System.out.println("prepared " + name + ": " + notes);
        }
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
          for (var e : open.entrySet()) {
            Runs r = w.readCold(e.getKey(), e.getValue());
            medians.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r.median());
          }
        }
        System.out.println("medians per round (ops/s): " + medians);
      } finally {
        for (Engine e : open.values()) {
          e.close();
        }
      }
    }
  }
}
