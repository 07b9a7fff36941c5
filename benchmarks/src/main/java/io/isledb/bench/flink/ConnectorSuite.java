package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.bench.Runs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flink-connector group: the isle table (file://, and s3a:// on the harness's S3 server) side
 * by side with a Paimon primary-key table (file://) of the same schema, bucket count (= the
 * parallelism of every job) and parallelism, through Flink SQL on one local MiniCluster: {@code
 * INSERT} of generated rows, a full and a 1% key-range scan, a lookup join with and without the
 * lookup cache, and a streaming read's commit-to-emit latency and throughput ({@link
 * ConnectorWorkloads}, {@link ConnectorStreaming}). Workload names start with {@code connector.},
 * the engine is the format.
 *
 * <p>Why a child JVM: the table planner and Paimon's 55 MB jar (with its own unrelocated zstd-jni
 * classes) stay out of the harness's JVM, and the group runs with the heap and {@code --add-opens}
 * a Flink task manager has, whatever the harness's JVM was started with. Its class path is the
 * flink-state group's ({@link FlinkStateSuite#childClassPath}). Formats run one after the other
 * within each workload, so a change of the machine's load hits them alike.
 */
public final class ConnectorSuite {
  /** Options of the child JVM: a task manager's heap and the flink-dist add-opens list. */
  public static final List<String> JVM_OPTIONS =
      List.of(
          "-Xmx3g",
          "-XX:+UseParallelGC",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  /** Workloads in table order (the streaming ones are added by {@link ConnectorStreaming}). */
  public static final List<String> WORKLOADS =
      List.of(
          "insert",
          "scan-full",
          "scan-range",
          "lookup-nocache",
          "lookup-cache",
          "stream-latency-p50",
          "stream-latency-p99",
          "stream-throughput");

  private ConnectorSuite() {}

  /** The formats of a run: isle-file and paimon-file always, isle-s3a if the harness runs it. */
  public static List<String> formats(Set<String> engines) {
    List<String> f = new ArrayList<>(List.of("isle-file", "paimon-file"));
    if (engines.contains("isle-s3a")) {
      f.add("isle-s3a");
    }
    return f;
  }

  /** Runs the group in a child JVM; its output goes to this process's standard output. */
  public static List<Runs> run(ConnectorSettings s, long seed, List<String> extraJvmOptions)
      throws Exception {
    Path work = Path.of(s.work());
    Files.createDirectories(work);
    Path in = Files.createTempFile(work, "connector-settings-", ".json");
    new ObjectMapper().writeValue(in.toFile(), s);
    // After ChildJvm's flink-state options: the later -Xmx wins, the add-opens add up.
    List<String> options = new ArrayList<>(JVM_OPTIONS);
    options.addAll(extraJvmOptions);
    List<Runs> all =
        ChildJvm.run(
            "flink-connector",
            work,
            options,
            ConnectorSuite.class,
            out -> List.of(in.toString(), out.toString(), Long.toString(seed)));
    Files.delete(in);
    return all;
  }

  /**
   * The group as the harness runs it: the suite's sizes ({@code standard}, {@code quick}, any other
   * suite name: {@code smoke}), reduced with the system property {@code
   * isledb.bench.connector.rows} (rows of the INSERT; the dimension table, the probes and the bulk
   * commit get a tenth), extra child JVM options from {@code isledb.bench.connector.jvm} (space
   * separated, e.g. a JFR recording). Adds the results to {@code all} and returns what the report
   * states about the run.
   */
  public static Map<String, Object> runGroup(
      String suite,
      Path work,
      long seed,
      String s3aUri,
      Map<String, String> s3aConf,
      Set<String> engines,
      List<Runs> all)
      throws Exception {
    String name = suite.equals("standard") || suite.equals("quick") ? suite : "smoke";
    ConnectorSettings s =
        ConnectorSettings.named(name, work.resolve("flink-connector").toString(), formats(engines));
    Long rows = Long.getLong("isledb.bench.connector.rows");
    if (rows != null) {
      long tenth = Math.max(1, rows / 10);
      s = s.withRows(rows, tenth, tenth, tenth);
    }
    if (s3aUri != null && engines.contains("isle-s3a")) {
      s = s.withS3(s3aUri, s3aConf);
    }
    String extra = System.getProperty("isledb.bench.connector.jvm", "").trim();
    List<String> jvm = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    all.addAll(run(s, seed, jvm));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("versions", versions());
    m.put("settings", s.describe());
    List<String> tables = new ArrayList<>();
    for (String f : s.formats()) {
      tables.add(f + ": " + new ConnectorTables(f, s).describe());
    }
    m.put("tables", tables);
    List<String> opts = new ArrayList<>(JVM_OPTIONS.subList(0, 2));
    opts.add("flink-dist --add-opens");
    opts.addAll(jvm);
    m.put("jvm_options", opts);
    return m;
  }

  /** Versions of Flink and Paimon, from the class path. */
  public static Map<String, Object> versions() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flink", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String f = Path.of(e).getFileName().toString();
      if (f.startsWith("paimon-flink-") && f.endsWith(".jar")) {
        m.put("paimon", f.substring(0, f.length() - 4));
      }
    }
    return m;
  }

  /** The child JVM: {@code SETTINGS_JSON OUT_JSON SEED}. */
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ConnectorSettings s = json.readValue(Path.of(args[0]).toFile(), ConnectorSettings.class);
    long seed = Long.parseLong(args[2]);
    resultsFile = Path.of(args[1]);
    List<ConnectorTables> tables = new ArrayList<>();
    for (String f : s.formats()) {
      tables.add(new ConnectorTables(f, s));
    }
    try (ConnectorCluster cluster = new ConnectorCluster(s.parallelism())) {
      ConnectorWorkloads w = new ConnectorWorkloads(s, cluster);
      if (!s.suite().equals("smoke")) {
        step("insert (generator only)");
        print(w.generatorOnly());
      }
      for (ConnectorTables t : tables) {
        step("insert " + t.format());
        print(w.insert(t, t.format(), "facts"));
      }
      for (boolean range : List.of(false, true)) {
        for (ConnectorTables t : tables) {
          step((range ? "scan-range " : "scan-full ") + t.format());
          print(w.scan(t, t.format(), "facts", range));
        }
      }
      Map<String, Double> dimSeconds = new LinkedHashMap<>();
      for (ConnectorTables t : tables) {
        step("lookup dimension " + t.format());
        dimSeconds.put(t.format(), w.loadDimension(t, "dim"));
      }
      for (boolean cache : List.of(false, true)) {
        for (ConnectorTables t : tables) {
          step((cache ? "lookup-cache " : "lookup-nocache ") + t.format());
          Runs r = w.lookup(t, t.format(), "dim", cache);
          r.details.put("dimension_load_seconds", dimSeconds.get(t.format()));
          print(r);
        }
      }
      for (ConnectorTables t : tables) {
        step("stream " + t.format());
        double rtt;
        try (ObjectStore store = roundTripStore(s, t.format())) {
          rtt = ConnectorWorkloads.roundTripMillis(store);
        }
        for (Runs r : new ConnectorStreaming(s, cluster, seed).run(t, t.format(), rtt)) {
          print(r);
        }
      }
      for (ConnectorTables t : tables) {
        t.dropAll(cluster.tableEnv(true), List.of("facts", "dim", "changes"));
      }
    }
    json.writeValue(Path.of(args[1]).toFile(), RESULTS);
    // Flink's and Paimon's non-daemon threads (pools, the MiniCluster's leftovers) must not keep
    // the child alive after its results are written.
    System.exit(0);
  }

  private static ObjectStore roundTripStore(ConnectorSettings s, String format) {
    return format.equals("isle-s3a")
        ? IsleDB.openStore(s.s3aUri(), "connector-rtt-" + System.nanoTime(), s.s3aConf())
        : IsleDB.openStore("file://" + Path.of(s.work()).toAbsolutePath(), "connector-rtt");
  }

  private static final long STARTED = System.nanoTime();

  private static void step(String name) {
    System.out.printf(
        "-- flink-connector: %s (at %.1f s)%n", name, (System.nanoTime() - STARTED) / 1e9);
  }

  private static Path resultsFile;

  /** Prints a result and rewrites the results file, so a later failure keeps what was measured. */
  private static Map<String, Object> print(Runs r) throws java.io.IOException {
    System.out.println("   " + r);
    Map<String, Object> m = r.toMap();
    RESULTS.add(m);
    new ObjectMapper().writeValue(resultsFile.toFile(), RESULTS);
    return m;
  }

  private static final List<Map<String, Object>> RESULTS = new ArrayList<>();
}
