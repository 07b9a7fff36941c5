package io.isledb.examples;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The main job's settings: where the data goes (a local folder by default, or an {@code s3a://} or
 * {@code abfs://} location with Hadoop settings), how many orders, how often to checkpoint. Parsed
 * from command-line flags and an optional properties file ({@link #usage()}).
 *
 * @param storage the root URI: the table, the state and the checkpoints go below it
 * @param checkpoints URI of Flink's checkpoint directory (metadata files only)
 * @param hadoop Hadoop settings for the table and the state backend (never printed)
 * @param orders number of generated order events
 * @param ordersPerCheckpoint orders the generator emits between two checkpoints
 * @param checkpointInterval checkpoint interval
 * @param customers number of distinct customers
 * @param failAfterCheckpoint the task fails once right after this checkpoint completed (0: never)
 */
public record JobSettings(
    String storage,
    String checkpoints,
    Map<String, String> hadoop,
    long orders,
    int ordersPerCheckpoint,
    Duration checkpointInterval,
    int customers,
    long failAfterCheckpoint) {

  /** Orders per event-time window: the generator's events are 50 ms apart, windows 5 s long. */
  public static final long ORDERS_PER_WINDOW = 100;

  public JobSettings {
    hadoop = Map.copyOf(hadoop);
    if (orders < 1 || ordersPerCheckpoint < 1 || customers < 1) {
      throw new IllegalArgumentException("orders, orders-per-checkpoint and customers must be > 0");
    }
  }

  /** The full run: about a minute on a laptop, under {@code ./isle-data/main-job}. */
  public static JobSettings defaults() {
    String root = Path.of("isle-data", "main-job").toAbsolutePath().toUri().toString();
    return new JobSettings(
        root, root + "checkpoints", Map.of(), 12_000, 800, Duration.ofSeconds(2), 20, 3);
  }

  /** The short run of the tests and CI: a few seconds of work. */
  public JobSettings toShort() {
    return new JobSettings(storage, checkpoints, hadoop, 1_200, 200, Duration.ofMillis(200), 8, 2);
  }

  /** The settings under another root (the checkpoints too, if they were below the old one). */
  public JobSettings withStorage(String uri, String checkpointUri) {
    return new JobSettings(
        uri,
        checkpointUri,
        hadoop,
        orders,
        ordersPerCheckpoint,
        checkpointInterval,
        customers,
        failAfterCheckpoint);
  }

  /** The table's path. */
  public String tablePath(String run) {
    return slash(storage) + run + "/tables/customer_windows";
  }

  /** The state backend's directory. */
  public String stateDir(String run) {
    return slash(storage) + run + "/state";
  }

  /** The checkpoint directory. */
  public String checkpointDir(String run) {
    return slash(checkpoints) + run;
  }

  static String slash(String uri) {
    return uri.endsWith("/") ? uri : uri + "/";
  }

  /** Whether {@code --help} was asked for. */
  public static boolean wantsHelp(String[] args) {
    for (String a : split(args)) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses flags over {@link #defaults()}; a {@code --properties FILE} is read first, flags after
   * it win. Arguments holding spaces are split (Maven's {@code -Dexample.args="--short ..."}).
   */
  public static JobSettings parse(String[] args) throws IOException {
    List<String> list = split(args);
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> hadoop = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).equals("--properties")) {
        readProperties(Path.of(arg(list, ++i, "--properties")), values, hadoop);
      }
    }
    boolean shortRun = false;
    for (int i = 0; i < list.size(); i++) {
      String flag = list.get(i);
      switch (flag) {
        case "--properties" -> i++;
        case "--short" -> shortRun = true;
        case "--hadoop" -> {
          String kv = arg(list, ++i, flag);
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--hadoop expects key=value, got '" + kv + "'");
          }
          hadoop.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "--storage",
            "--checkpoints",
            "--orders",
            "--customers",
            "--checkpoint-interval",
            "--orders-per-checkpoint",
            "--fail-after-checkpoint" ->
            values.put(flag.substring(2), arg(list, ++i, flag));
        default -> throw new IllegalArgumentException("unknown flag " + flag + " (see --help)");
      }
    }
    JobSettings base = shortRun ? defaults().toShort() : defaults();
    String storage = values.getOrDefault("storage", base.storage());
    String checkpoints =
        values.getOrDefault(
            "checkpoints",
            storage.startsWith("file:") ? slash(storage) + "checkpoints" : base.checkpoints());
    return new JobSettings(
        storage,
        checkpoints,
        hadoop,
        Long.parseLong(values.getOrDefault("orders", "" + base.orders())),
        Integer.parseInt(
            values.getOrDefault("orders-per-checkpoint", "" + base.ordersPerCheckpoint())),
        values.containsKey("checkpoint-interval")
            ? Duration.ofMillis(Long.parseLong(values.get("checkpoint-interval")))
            : base.checkpointInterval(),
        Integer.parseInt(values.getOrDefault("customers", "" + base.customers())),
        Long.parseLong(
            values.getOrDefault("fail-after-checkpoint", "" + base.failAfterCheckpoint())));
  }

  private static void readProperties(
      Path file, Map<String, String> values, Map<String, String> hadoop) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("hadoop.")) {
        hadoop.put(key.substring("hadoop.".length()), p.getProperty(key));
      } else {
        values.put(key, p.getProperty(key));
      }
    }
  }

  private static String arg(List<String> list, int i, String flag) {
    if (i >= list.size()) {
      throw new IllegalArgumentException(flag + " needs a value (see --help)");
    }
    return list.get(i);
  }

  private static List<String> split(String[] args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      for (String part : a.trim().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    }
    return out;
  }

  /** The {@code --help} text. */
  public static String usage() {
    return """
        IsleDB main job: order events -> keyed 5 s windows (state in the isle state backend,
        checkpoints) -> isle table via Flink SQL -> lookup join -> continuous query; one induced
        task failure; a report at the end. Runs on a local MiniCluster, no servers needed.

        Usage: mvn -q -B -Prun -DskipTests package [-Dexample.args="FLAGS"]
               java ... io.isledb.examples.MainJob [FLAGS]

          --storage URI             root of the table and the state (default file://$PWD/isle-data/main-job/);
                                    s3a://bucket/path or abfs://container@account.dfs.core.windows.net/path
          --checkpoints URI         Flink's checkpoint directory (metadata only; default <storage>/checkpoints
                                    for file://, else file://$PWD/isle-data/main-job/checkpoints)
          --hadoop KEY=VALUE        a Hadoop setting for s3a:// or abfs:// (repeatable), e.g.
                                    --hadoop fs.s3a.endpoint=http://127.0.0.1:9000
          --properties FILE         a properties file: storage=..., checkpoints=..., orders=...,
                                    hadoop.fs.s3a.access.key=... (flags given after it win)
          --orders N                order events to generate (default 12000; --short: 1200)
          --orders-per-checkpoint N orders between two checkpoints (default 800; --short: 200)
          --checkpoint-interval MS  checkpoint interval (default 2000; --short: 200)
          --customers N             distinct customers (default 20; --short: 8)
          --fail-after-checkpoint N fail one task once after checkpoint N completed (default 3;
                                    --short: 2; 0 = never)
          --short                   the short run the tests use (a few seconds of work)
          --help                    this text

        Each run writes below <storage>/run-<time>/: tables/customer_windows (the isle table) and
        state/ (the state backend's databases). Hadoop settings are never printed.
        """;
  }
}
