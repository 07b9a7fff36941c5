package io.isledb.bench.flink;

import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The bounded workloads of the flink-connector group on one table format, all through Flink SQL in
 * batch mode on the shared {@link ConnectorCluster}: the {@code INSERT} of generated rows, a full
 * scan and a 1% key-range scan, and a lookup join with and without the lookup cache. Every workload
 * runs its warm-ups, then its measured runs; a run's figure is rows (or probe rows) per second of
 * wall-clock time from submitting the statement to its result. Bytes are the Flink JVM's (this
 * JVM's) read and written bytes of all system calls during the run ({@code /proc/self/io}
 * rchar/wchar: files and sockets, the spills and the S3 requests included).
 */
final class ConnectorWorkloads {
  /** Prefix of every workload name of the group. */
  static final String PREFIX = "connector.";

  private final ConnectorSettings s;
  private final ConnectorCluster cluster;

  ConnectorWorkloads(ConnectorSettings s, ConnectorCluster cluster) {
    this.s = s;
    this.cluster = cluster;
  }

  /**
   * The generated rows {@code 0..n-1} as SQL over the view {@code seq} (column {@code f0}): a
   * multiplicative permutation of the ids (inserts arrive in random key order, every id once), and
   * columns derived from the id (about 100 bytes a row, partly compressible).
   */
  static String generated(long n) {
    long m = 7919;
    while (n % m == 0) {
      m += 2; // keep the multiplier coprime to n: a permutation
    }
    return "SELECT id, CONCAT('customer-', CAST(id % 100000 AS STRING)) AS customer,"
        + " CAST((id % 1000000) / 100.0 AS DECIMAL(10, 2)) AS amount,"
        + " CAST(id % 1000 AS INT) AS qty,"
        + " CAST(TO_TIMESTAMP_LTZ(1700000000000 + id * 1000, 3) AS TIMESTAMP(3)) AS ts,"
        + " CONCAT('note-', CAST(id * 2654435761 AS STRING), '-of-a-generated-row') AS note"
        + " FROM (SELECT (f0 * "
        + m
        + ") % "
        + n
        + " AS id FROM seq)";
  }

  /** Registers {@code seq}: the longs {@code 0..n-1} in {@code parallelism} splits. */
  static void sequence(StreamTableEnvironment t, StreamExecutionEnvironment env, long n) {
    t.createTemporaryView("seq", t.fromDataStream(env.fromSequence(0, n - 1)));
  }

  /** INSERT of the generated rows into a new table per run; the last run's table stays. */
  Runs insert(ConnectorTables tables, String format, String keep) throws Exception {
    Runs r = new Runs(PREFIX + "insert", format, "rows/s");
    Map<String, Object> d = r.details;
    for (int i = -s.warmups(); i < s.runs(); i++) {
      String table = i == s.runs() - 1 ? keep : "load" + (i + s.warmups());
      StreamExecutionEnvironment env = cluster.env(true);
      StreamTableEnvironment t = ConnectorCluster.tableEnv(env, true);
      tables.prepare(t);
      tables.drop(t, table);
      tables.create(t, table);
      sequence(t, env, s.rows());
      Io before = Io.now();
      S3ServerCpu.Mark cpu = S3ServerCpu.mark();
      long t0 = System.nanoTime();
      t.executeSql("INSERT INTO " + tables.ref(table) + " " + generated(s.rows())).await();
      double sec = (System.nanoTime() - t0) / 1e9;
      Io io = Io.now().minus(before);
      if (i >= 0) {
        r.add(s.rows() / sec);
        S3ServerCpu.add(r, cpu);
        d.put("bytes_written", io.written);
        d.put("bytes_read", io.read);
        d.put("table_bytes_on_disk", tables.diskBytes(table));
      }
      if (!table.equals(keep)) {
        tables.drop(t, table);
      }
    }
    d.put("rows", s.rows());
    return group(r);
  }

  /** The generator alone (into Flink's blackhole sink): the cost every INSERT includes. */
  Runs generatorOnly() throws Exception {
    Runs r = new Runs(PREFIX + "insert", "generator-only", "rows/s");
    for (int i = -s.warmups(); i < s.runs(); i++) {
      StreamExecutionEnvironment env = cluster.env(true);
      StreamTableEnvironment t = ConnectorCluster.tableEnv(env, true);
      t.executeSql(
          "CREATE TABLE gen_sink ("
              + ConnectorTables.COLUMNS
              + ") WITH ('connector' = 'blackhole')");
      sequence(t, env, s.rows());
      long t0 = System.nanoTime();
      t.executeSql("INSERT INTO gen_sink " + generated(s.rows())).await();
      double sec = (System.nanoTime() - t0) / 1e9;
      if (i >= 0) {
        r.add(s.rows() / sec);
      }
    }
    return group(r);
  }

  /** Full scan (every column decoded: aggregates over all of them) or the 1% key range. */
  Runs scan(ConnectorTables tables, String format, String table, boolean range) throws Exception {
    long lo = range ? s.rows() / 2 - s.rangeRows() / 2 : 0;
    long expected = range ? s.rangeRows() : s.rows();
    String where = range ? " WHERE id >= " + lo + " AND id < " + (lo + expected) : "";
    String q =
        "SELECT COUNT(*), SUM(qty), SUM(CHAR_LENGTH(customer)), SUM(CHAR_LENGTH(note)),"
            + " SUM(amount), MAX(ts) FROM "
            + tables.ref(table)
            + where;
    Runs r = new Runs(PREFIX + (range ? "scan-range" : "scan-full"), format, "rows/s");
    for (int i = -s.warmups(); i < s.runs(); i++) {
      TableEnvironment t = cluster.tableEnv(true);
      tables.prepare(t);
      tables.create(t, table);
      Io before = Io.now();
      S3ServerCpu.Mark cpu = S3ServerCpu.mark();
      long t0 = System.nanoTime();
      long count = firstLong(t, q);
      double sec = (System.nanoTime() - t0) / 1e9;
      Io io = Io.now().minus(before);
      check(count, expected, r);
      if (i >= 0) {
        r.add(expected / sec);
        S3ServerCpu.add(r, cpu);
        r.details.put("bytes_read", io.read);
        r.details.put("bytes_written", io.written);
      }
    }
    r.details.put("rows", expected);
    return group(r);
  }

  /** Loads the dimension table of the lookup joins (not measured; its time is a detail). */
  double loadDimension(ConnectorTables tables, String table) throws Exception {
    StreamExecutionEnvironment env = cluster.env(true);
    StreamTableEnvironment t = ConnectorCluster.tableEnv(env, true);
    tables.prepare(t);
    tables.drop(t, table);
    tables.create(t, table);
    sequence(t, env, s.dimRows());
    long t0 = System.nanoTime();
    t.executeSql("INSERT INTO " + tables.ref(table) + " " + generated(s.dimRows())).await();
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Lookup join of {@code probes} generated probe rows against the dimension table; the probe keys
   * are drawn uniformly from a hot set of {@code hotFraction} of the dimension's keys, spread over
   * its whole key range, and the cache (when on) holds that many rows.
   */
  Runs lookup(ConnectorTables tables, String format, String dim, boolean cache) throws Exception {
    long hot = Math.max(1, Math.round(s.dimRows() * s.hotFraction()));
    long stride = Math.max(1, s.dimRows() / hot);
    String q =
        "SELECT COUNT(*), SUM(d.qty) FROM (SELECT ((f0 * 7919) % "
            + hot
            + ") * "
            + stride
            + " AS k, pt FROM probe) AS p JOIN "
            + tables.ref(dim)
            + " "
            + tables.lookupHint(cache, hot)
            + " FOR SYSTEM_TIME AS OF p.pt AS d ON p.k = d.id";
    Runs r = new Runs(PREFIX + (cache ? "lookup-cache" : "lookup-nocache"), format, "probe rows/s");
    for (int i = -s.warmups(); i < s.runs(); i++) {
      StreamExecutionEnvironment env = cluster.env(true);
      StreamTableEnvironment t = ConnectorCluster.tableEnv(env, true);
      tables.prepare(t);
      tables.create(t, dim);
      t.createTemporaryView(
          "probe",
          t.fromDataStream(
              env.fromSequence(0, s.probes() - 1),
              Schema.newBuilder().columnByExpression("pt", "PROCTIME()").build()));
      Io before = Io.now();
      S3ServerCpu.Mark cpu = S3ServerCpu.mark();
      long t0 = System.nanoTime();
      long count = firstLong(t, q);
      double sec = (System.nanoTime() - t0) / 1e9;
      Io io = Io.now().minus(before);
      check(count, s.probes(), r);
      if (i >= 0) {
        r.add(s.probes() / sec);
        S3ServerCpu.add(r, cpu);
        r.details.put("bytes_read", io.read);
        r.details.put("bytes_written", io.written);
      }
    }
    r.details.put("probes", s.probes());
    r.details.put("hot_keys", hot);
    r.details.put("cache", tables.lookupHint(cache, hot));
    return group(r);
  }

  private static long firstLong(TableEnvironment t, String q) throws Exception {
    try (CloseableIterator<Row> it = t.executeSql(q).collect()) {
      return ((Number) it.next().getField(0)).longValue();
    }
  }

  private static void check(long got, long expected, Runs r) {
    if (got != expected) {
      throw new IllegalStateException(
          r.workload + " on " + r.engine + ": " + got + " rows, expected " + expected);
    }
  }

  static Runs group(Runs r) {
    r.details.put("group", "flink-connector");
    return r;
  }

  /** Median wall-clock time of a 1 KiB GET on the format's store (the goal's "round trip"). */
  static double roundTripMillis(io.isledb.ObjectStore store) {
    store.put("rtt-probe", new byte[1024]);
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      long t0 = System.nanoTime();
      store.get("rtt-probe");
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    store.delete("rtt-probe");
    ms.sort(null);
    return ms.get(ms.size() / 2);
  }

  /** This JVM's system-call I/O counters ({@code /proc/self/io}; zeros where there is none). */
  record Io(long read, long written) {
    static Io now() {
      Map<String, Long> m = new LinkedHashMap<>();
      try {
        for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
          String[] kv = l.split(":\\s*");
          m.put(kv[0], Long.parseLong(kv[1].trim()));
        }
      } catch (IOException | RuntimeException e) {
        return new Io(0, 0);
      }
      return new Io(m.getOrDefault("rchar", 0L), m.getOrDefault("wchar", 0L));
    }

    Io minus(Io o) {
      return new Io(read - o.read, written - o.written);
    }
  }
}
