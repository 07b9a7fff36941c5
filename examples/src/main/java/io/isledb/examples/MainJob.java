package io.isledb.examples;

import io.isledb.examples.Orders.Total;
import java.math.BigDecimal;
import java.net.URI;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The main job (README command 1): generated order events, a keyed event-time window aggregation
 * whose state lives in the isle state backend (checkpoints every few seconds), written through
 * Flink SQL into an isle table ({@code 'connector' = 'isle'}), a continuous query tailing that
 * table, and a lookup join enriching a second stream (shipments) from it. One task fails once on
 * purpose; the result is compared with a model of the deterministic generator, and a short report
 * is printed. Everything runs in this JVM on a local MiniCluster; by default the data goes to
 * {@code ./isle-data/main-job} ({@code --help} for s3a:// and abfs://).
 */
public final class MainJob {
  private static final DateTimeFormatter RUN = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
  private static final TypeInformation<Tuple4<Long, String, Long, Long>> ORDER =
      Types.TUPLE(Types.LONG, Types.STRING, Types.LONG, Types.LONG);
  private static final TypeInformation<Row> TOTAL =
      Types.ROW_NAMED(
          new String[] {"customer", "window_id", "orders", "cents"},
          Types.STRING,
          Types.LONG,
          Types.LONG,
          Types.LONG);

  private MainJob() {}

  public static void main(String[] args) throws Exception {
    if (JobSettings.wantsHelp(args)) {
      System.out.print(JobSettings.usage());
      return;
    }
    RunReport report = run(JobSettings.parse(args), "run-" + LocalDateTime.now().format(RUN));
    System.out.print(report.text());
    System.exit(report.exactlyOnce() ? 0 : 1);
  }

  /** Runs the whole pipeline once under {@code <storage>/<run>} and returns its report. */
  public static RunReport run(JobSettings s, String run) throws Exception {
    long started = System.nanoTime();
    RunReport.Builder report = new RunReport.Builder(s, run);
    Map<String, Total> model = Orders.model(s.orders(), s.customers());
    report.model(model);
    Configuration cluster = new Configuration();
    cluster.setString("rest.bind-port", "0");
    cluster.setString("rest.address", "127.0.0.1");
    cluster.setString("web.checkpoints.history", "1000");
    cluster.setString("metrics.reporter.isle.factory.class", IsleGauges.Factory.class.getName());
    cluster.setString("metrics.reporter.isle.run", run);
    MiniCluster mc =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(cluster)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(6)
                .build());
    mc.start();
    try {
      URI rest = mc.getRestAddress().get();
      StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConfig(s, run, rest));
      env.setParallelism(2);
      StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
      // Each (customer, window) is emitted once, by one window operator subtask: nothing to
      // reconcile per key before the upsert sink.
      tenv.getConfig().set("table.exec.sink.upsert-materialize", "NONE");
      tenv.executeSql(ddl(s, run));

      // 1. The pipeline: orders -> windows (isle state) -> INSERT INTO the isle table.
      tenv.createTemporaryView("window_totals", windowTotals(env, s));
      tenv.getConfig().set(PipelineOptions.NAME, "orders-pipeline");
      TableResult insert =
          tenv.executeSql(
              "INSERT INTO customer_windows SELECT customer, window_id, orders,"
                  + " CAST(CAST(cents AS DECIMAL(14, 2)) / 100 AS DECIMAL(12, 2))"
                  + " FROM window_totals");
      JobID pipeline = insert.getJobClient().orElseThrow().getJobID();
      GaugeSampler sampler = new GaugeSampler(run);
      sampler.start();

      // 2. The continuous query, started once the table has its first version.
      TableFacts facts = new TableFacts(s.tablePath(run), s.hadoop());
      facts.awaitFirstVersion(insert);
      tenv.getConfig().set(PipelineOptions.NAME, "continuous-query");
      TableResult tailing =
          tenv.executeSql("SELECT customer, window_id, orders, amount FROM customer_windows");
      ContinuousQuery query = new ContinuousQuery(tailing, model);
      query.start();

      insert.await();
      sampler.stopAndJoin();
      AccessExecutionGraph graph = mc.getArchivedExecutionGraph(pipeline).get();
      report.pipeline(graph, sampler.committedVersions());

      // 3. The lookup join: shipments enriched with their window's totals from the table.
      tenv.getConfig().set(PipelineOptions.NAME, "lookup-join");
      report.lookups(lookupJoin(env, tenv, model), model);

      // 4. The continuous query has seen every row (or the report says it did not).
      report.continuous(query.awaitModel(60, TimeUnit.SECONDS));

      // 5. Exactly once: the table read back in full and its change log against the model.
      tenv.getConfig().set(PipelineOptions.NAME, "read-back");
      report.table(readBack(tenv), facts.changeLog());
      report.gauges(IsleGauges.of(run));
      report.storage(StorageSummary.of(s, run));
      report.elapsedNanos(System.nanoTime() - started);
      return report.build();
    } finally {
      IsleGauges.forget(run);
      mc.closeAsync().get();
    }
  }

  private static Configuration jobConfig(JobSettings s, String run, URI rest) {
    Configuration c = new Configuration();
    c.setString("execution.target", "remote");
    c.setString("rest.address", rest.getHost());
    c.setString("rest.port", String.valueOf(rest.getPort()));
    c.setString("state.backend.type", "io.isledb.flink.state.IsleStateBackendFactory");
    c.setString("state.backend.isle.dir", s.stateDir(run));
    s.hadoop().forEach((k, v) -> c.setString("state.backend.isle.hadoop." + k, v));
    c.setString("execution.checkpointing.dir", s.checkpointDir(run));
    c.setString("execution.checkpointing.interval", s.checkpointInterval().toMillis() + " ms");
    c.setString("restart-strategy.type", "fixed-delay");
    c.setString("restart-strategy.fixed-delay.attempts", "3");
    c.setString("restart-strategy.fixed-delay.delay", "200 ms");
    return c;
  }

  static String ddl(JobSettings s, String run) {
    StringBuilder with = new StringBuilder("'connector' = 'isle', 'path' = '");
    with.append(s.tablePath(run)).append('\'');
    s.hadoop()
        .forEach(
            (k, v) -> with.append(", 'hadoop.").append(k).append("' = '").append(v).append('\''));
    return "CREATE TABLE customer_windows (customer STRING, window_id BIGINT, orders BIGINT,"
        + " amount DECIMAL(12, 2), PRIMARY KEY (customer, window_id) NOT ENFORCED) WITH ("
        + with
        + ")";
  }

  private static DataStream<Row> windowTotals(StreamExecutionEnvironment env, JobSettings s) {
    int customers = s.customers();
    DataGeneratorSource<Tuple4<Long, String, Long, Long>> generator =
        new DataGeneratorSource<>(
            i -> Orders.order(i, customers),
            s.orders(),
            RateLimiterStrategy.perCheckpoint(s.ordersPerCheckpoint()),
            ORDER);
    return env.fromSource(
            generator,
            WatermarkStrategy.<Tuple4<Long, String, Long, Long>>forMonotonousTimestamps()
                .withTimestampAssigner((o, t) -> o.f3),
            "order events")
        .setParallelism(1)
        .map(new FailOnce<>(s.failAfterCheckpoint()))
        .returns(ORDER)
        .setParallelism(1)
        .name("fail once")
        .keyBy(o -> o.f1)
        .window(TumblingEventTimeWindows.of(java.time.Duration.ofMillis(Orders.WINDOW_MS)))
        .aggregate(new Orders.CountAndSum(), new EmitTotal())
        .returns(TOTAL)
        .name("5 s window per customer");
  }

  /** Turns a window's (orders, cents) into a row of the table. */
  static final class EmitTotal
      extends ProcessWindowFunction<Tuple2<Long, Long>, Row, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
        String customer, Context ctx, Iterable<Tuple2<Long, Long>> in, Collector<Row> out) {
      for (Tuple2<Long, Long> acc : in) {
        out.collect(Row.of(customer, ctx.window().getStart() / Orders.WINDOW_MS, acc.f0, acc.f1));
      }
    }
  }

  private static RunReport.Lookups lookupJoin(
      StreamExecutionEnvironment env, StreamTableEnvironment tenv, Map<String, Total> model)
      throws Exception {
    List<Row> shipments = new ArrayList<>();
    long id = 0;
    for (String key : model.keySet()) {
      String[] parts = key.split("/");
      shipments.add(Row.of(id++, parts[0], Long.parseLong(parts[1])));
    }
    shipments.add(Row.of(id++, "c99", 0L)); // no such customer: not enriched
    tenv.createTemporaryView(
        "shipments",
        tenv.fromDataStream(
            env.fromData(
                    Types.ROW_NAMED(
                        new String[] {"ship_id", "customer", "window_id"},
                        Types.LONG,
                        Types.STRING,
                        Types.LONG),
                    shipments.toArray(new Row[0]))
                .setParallelism(1),
            Schema.newBuilder().columnByExpression("pt", "PROCTIME()").build()));
    TableResult joined =
        tenv.executeSql(
            "SELECT s.ship_id, s.customer, s.window_id, w.orders, w.amount FROM shipments AS s"
                + " LEFT JOIN customer_windows FOR SYSTEM_TIME AS OF s.pt AS w"
                + " ON s.customer = w.customer AND s.window_id = w.window_id");
    RunReport.Lookups out = new RunReport.Lookups();
    forEach(
        joined,
        r -> {
          String key = Orders.key((String) r.getField(1), (Long) r.getField(2));
          Total expected = model.get(key);
          Long orders = (Long) r.getField(3);
          BigDecimal amount = (BigDecimal) r.getField(4);
          out.add(
              expected,
              orders == null ? null : new Total(orders, amount),
              (Long) r.getField(0) < 3 ? key + " -> " + orders + " orders, " + amount : null);
        });
    return out;
  }

  private static Map<String, Total> readBack(StreamTableEnvironment tenv) throws Exception {
    Map<String, Total> rows = new TreeMap<>();
    forEach(
        tenv.executeSql(
            "SELECT customer, window_id, orders, amount FROM customer_windows"
                + " /*+ OPTIONS('scan.bounded' = 'true') */"),
        r -> apply(rows, r));
    return rows;
  }

  static void apply(Map<String, Total> rows, Row r) {
    String key = Orders.key((String) r.getField(0), (Long) r.getField(1));
    if (r.getKind() == RowKind.DELETE) {
      rows.remove(key);
    } else if (r.getKind() != RowKind.UPDATE_BEFORE) {
      rows.put(key, new Total((Long) r.getField(2), (BigDecimal) r.getField(3)));
    }
  }

  private static void forEach(TableResult result, Consumer<Row> each) throws Exception {
    try (CloseableIterator<Row> it = result.collect()) {
      while (it.hasNext()) {
        each.accept(it.next());
      }
    }
  }
}
