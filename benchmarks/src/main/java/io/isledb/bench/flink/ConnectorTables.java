package io.isledb.bench.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The tables of one format of the flink-connector group: the same schema and primary key for the
 * isle table and the Paimon primary-key table (fixed buckets = the jobs' parallelism), each with
 * its defaults otherwise; the SQL hints that select each one's lookup cache and streaming mode.
 */
final class ConnectorTables {
  /** Columns of every table; {@code id} is the primary key. About 100 bytes of raw row data. */
  static final String COLUMNS =
      "id BIGINT NOT NULL, customer STRING, amount DECIMAL(10, 2), qty INT, ts TIMESTAMP(3),"
          + " note STRING";

  /** The column names, in table order. */
  static final String NAMES = "id, customer, amount, qty, ts, note";

  private final String format;
  private final ConnectorSettings s;
  private final String run = Long.toString(System.nanoTime(), 36);

  ConnectorTables(String format, ConnectorSettings s) {
    this.format = format;
    this.s = s;
  }

  String format() {
    return format;
  }

  boolean isPaimon() {
    return format.startsWith("paimon");
  }

  /** Registers the Paimon catalog in a new table environment (nothing for isle). */
  void prepare(TableEnvironment t) {
    if (isPaimon()) {
      t.executeSql(
          "CREATE CATALOG paimon WITH ('type' = 'paimon', 'warehouse' = '"
              + fileUri(warehouse())
              + "')");
      t.executeSql("CREATE DATABASE IF NOT EXISTS paimon.bench");
    }
  }

  /** The table's name in SQL. */
  String ref(String table) {
    return isPaimon() ? "paimon.bench." + table : format.replace('-', '_') + "_" + table;
  }

  /** Creates the table (empty). */
  void create(TableEnvironment t, String table) {
    if (isPaimon()) {
      t.executeSql(
          "CREATE TABLE IF NOT EXISTS "
              + ref(table)
              + " ("
              + COLUMNS
              + ", PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '"
              + s.parallelism()
              + "')");
      return;
    }
    StringBuilder with = new StringBuilder("'connector' = 'isle', 'path' = '" + path(table) + "'");
    if (format.equals("isle-s3a")) {
      for (Map.Entry<String, String> e : s.s3aConf().entrySet()) {
        with.append(", 'hadoop.").append(e.getKey()).append("' = '").append(e.getValue());
        with.append('\'');
      }
    }
    // The commit time of a change (metadata, virtual: never written) gives the streaming read's
    // commit-to-emit latency exactly.
    t.executeSql(
        "CREATE TABLE IF NOT EXISTS "
            + ref(table)
            + " ("
            + COLUMNS
            + ", ct TIMESTAMP_LTZ(3) METADATA FROM 'commit_time' VIRTUAL,"
            + " PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + with
            + ")");
  }

  /** Drops the table and deletes its files (file:// only; s3a:// objects stay in the bucket). */
  void drop(TableEnvironment t, String table) {
    t.executeSql("DROP TABLE IF EXISTS " + ref(table));
    if (format.equals("isle-file")) {
      deleteTree(localDir(table));
    }
  }

  /** Drops every table of {@code names} in a new environment and deletes the format's folder. */
  void dropAll(TableEnvironment t, List<String> names) {
    prepare(t);
    for (String n : names) {
      drop(t, n);
    }
    if (!format.equals("isle-s3a")) {
      deleteTree(isPaimon() ? warehouse() : Path.of(s.work(), "isle-" + run));
    }
  }

  /** Bytes the table's files hold on the local disk, or -1 (not file://). */
  long diskBytes(String table) {
    if (format.equals("isle-s3a")) {
      return -1;
    }
    Path dir = localDir(table);
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(ConnectorTables::size).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Dynamic options of a lookup join's dimension table, with or without a lookup cache. */
  String lookupHint(boolean cache, long cacheRows) {
    if (isPaimon()) {
      // Paimon has no uncached mode: its lookup always copies the files of the probed buckets to
      // the local disk and reads them there ('auto'); both rows measure that.
      return "/*+ OPTIONS('lookup.cache' = 'auto') */";
    }
    return cache
        ? "/*+ OPTIONS('lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '"
            + cacheRows
            + "') */"
        : "/*+ OPTIONS('lookup.cache' = 'NONE') */";
  }

  /** Dynamic options of an unbounded read of the changes committed after it starts. */
  String streamHint() {
    String poll = s.pollMillis() + " ms";
    return isPaimon()
        ? "/*+ OPTIONS('scan.mode' = 'latest', 'continuous.discovery-interval' = '" + poll + "') */"
        : "/*+ OPTIONS('scan.startup.mode' = 'latest', 'scan.poll-interval' = '" + poll + "') */";
  }

  /** Settings stated in the report. */
  String describe() {
    return isPaimon()
        ? "Paimon primary-key table, 'bucket' = " + s.parallelism() + ", other options default"
        : "isle table at " + (format.equals("isle-s3a") ? s.s3aUri() : "file://") + ", defaults";
  }

  private String path(String table) {
    return format.equals("isle-s3a")
        ? s.s3aUri() + "/connector-" + run + "/" + table
        : fileUri(localDir(table));
  }

  private Path warehouse() {
    return Path.of(s.work(), "paimon-" + run);
  }

  /** The folder of a Paimon table's snapshot files. */
  Path snapshotDir(String table) {
    return localDir(table).resolve("snapshot");
  }

  private Path localDir(String table) {
    return isPaimon()
        ? warehouse().resolve("bench.db").resolve(table)
        : Path.of(s.work(), "isle-" + run, table);
  }

  private static String fileUri(Path p) {
    return "file://" + p.toAbsolutePath();
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0; // deleted meanwhile (a compaction's old file)
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(all::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path p : all) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
