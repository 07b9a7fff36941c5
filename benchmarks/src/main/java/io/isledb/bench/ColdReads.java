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
 * java -cp ... io.isledb.bench.ColdReads [keys] [coldReads] [rounds] [engines] [work dir]
 * </pre>
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
