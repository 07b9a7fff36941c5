package io.isledb.examples;

import io.isledb.examples.Orders.Total;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;

/**
 * The figures of one main-job run and the report printed from them.
 *
 * @param run the run's name (its folder below the storage root)
 * @param settings what the run was given
 * @param modelRows rows the model says the table must hold
 * @param tableRows rows the table holds, read back with a bounded SQL scan
 * @param tableEqualsModel whether every row equals the model's
 * @param changeLog the table's change log (one put per row when exactly once)
 * @param checkpoints the pipeline's completed checkpoints, oldest first
 * @param failedCheckpoints checkpoints that failed or were aborted (the failure aborts one)
 * @param restoredCheckpoint the checkpoint the pipeline restored after the failure, or -1
 * @param restores how many times the pipeline restored a checkpoint
 * @param stateBackend the state backend Flink reports for the pipeline
 * @param continuous what the continuous query saw
 * @param lookups the lookup join's outcome
 * @param requests storage requests by kind: "state backend" and "table (job)" rows
 * @param storage where the data lies
 * @param elapsedMillis the run's wall time
 */
public record RunReport(
    String run,
    JobSettings settings,
    int modelRows,
    int tableRows,
    boolean tableEqualsModel,
    TableFacts.ChangeLog changeLog,
    List<Checkpoint> checkpoints,
    long failedCheckpoints,
    long restoredCheckpoint,
    long restores,
    String stateBackend,
    ContinuousQuery.Outcome continuous,
    Lookups lookups,
    Map<String, Map<String, Long>> requests,
    StorageSummary storage,
    long elapsedMillis) {

  /**
   * One completed checkpoint of the pipeline.
   *
   * @param id checkpoint id
   * @param stateBytes the state size Flink reports
   * @param checkpointedBytes what it uploaded (the isle backend: bytes written since the last one)
   * @param tableVersion the table version its sink commit published, -1 if none was seen
   */
  public record Checkpoint(long id, long stateBytes, long checkpointedBytes, long tableVersion) {}

  /** The lookup join's outcome against the model. */
  public static final class Lookups {
    private long rows;
    private long enriched;
    private long unmatched;
    private long wrong;
    private final List<String> examples = new ArrayList<>();

    void add(Total expected, Total got, String example) {
      rows++;
      if (got != null) {
        enriched++;
      } else {
        unmatched++;
      }
      if (!Objects.equals(expected, got)) {
        wrong++;
      }
      if (example != null) {
        examples.add(example);
      }
    }

    /** Shipments joined. */
    public long rows() {
      return rows;
    }

    /** Shipments enriched with a row of the table. */
    public long enriched() {
      return enriched;
    }

    /** Shipments whose window has no row (the one unknown customer). */
    public long unmatched() {
      return unmatched;
    }

    /** Shipments whose enrichment differs from the model (must be 0). */
    public long wrong() {
      return wrong;
    }
  }

  /**
   * Whether the run shows exactly-once results: the table equals the model, its change log holds
   * one put per row and no delete, the lookup join matches the model, the continuous query reached
   * the model, and the pipeline restored a checkpoint after its failure (if one was asked for).
   */
  public boolean exactlyOnce() {
    return tableEqualsModel
        && changeLog.puts() == modelRows
        && changeLog.deletes() == 0
        && lookups.wrong == 0
        && lookups.enriched == modelRows
        && continuous.reachedModel()
        && (settings.failAfterCheckpoint() == 0 || restores >= 1);
  }

  /** The report as printed. */
  public String text() {
    StringBuilder b = new StringBuilder();
    line(
        b,
        "IsleDB main job %s: %d order events, %d customers, 5 s windows",
        run,
        settings.orders(),
        settings.customers());
    line(
        b,
        "  state backend: %s, checkpoints every %d ms",
        stateBackend,
        settings.checkpointInterval().toMillis());
    line(
        b,
        "Rows written: %d rows in table customer_windows (the model: %d) -> %s",
        tableRows,
        modelRows,
        tableEqualsModel ? "equal" : "DIFFERENT");
    line(
        b,
        "  change log: %d puts, %d deletes, %d keys in %d versions -> %s",
        changeLog.puts(),
        changeLog.deletes(),
        changeLog.distinctKeys(),
        changeLog.perVersion().size(),
        changeLog.puts() == modelRows && changeLog.deletes() == 0
            ? "each row written exactly once"
            : "NOT exactly once");
    line(
        b,
        "Checkpoints: %d completed, %d declined or aborted (while tasks start, fail or"
            + " finish)",
        checkpoints.size(),
        failedCheckpoints);
    line(b, "  %6s %12s %14s %14s %10s", "id", "state", "checkpointed", "table version", "rows");
    for (Checkpoint c : checkpoints) {
      Integer rows = c.tableVersion < 0 ? null : changeLog.perVersion().get(c.tableVersion);
      line(
          b,
          "  %6d %12s %14s %14s %10s",
          c.id,
          bytes(c.stateBytes),
          bytes(c.checkpointedBytes),
          c.tableVersion < 0 ? "-" : String.valueOf(c.tableVersion),
          rows == null ? "-" : String.valueOf(rows));
    }
    if (restores > 0) {
      line(
          b,
          "Failure: one task failed after checkpoint %d; the job restored checkpoint %d"
              + " (%d restore%s): window state came back from the isle state backend",
          settings.failAfterCheckpoint(),
          restoredCheckpoint,
          restores,
          restores == 1 ? "" : "s");
    } else {
      line(
          b,
          "Failure: %s",
          settings.failAfterCheckpoint() == 0 ? "none asked for" : "NONE HAPPENED (no restore)");
    }
    line(
        b,
        "Continuous query: %d changes read, %s",
        continuous.changes(),
        continuous.reachedModel()
            ? "caught up with the model after " + continuous.millis() + " ms"
            : "DID NOT reach the model (" + continuous.rows() + " rows)");
    line(
        b,
        "Lookup join: %d shipments, %d enriched from the table, %d without a row, %d wrong",
        lookups.rows,
        lookups.enriched,
        lookups.unmatched,
        lookups.wrong);
    for (String e : lookups.examples) {
      line(b, "  e.g. %s", e);
    }
    line(
        b,
        "Storage requests by kind (isle gauges; the table has one store per JVM, shared by"
            + " every job's sources, sinks and lookups, so each table row is that store's count as"
            + " the job's tasks last read it):");
    requests.forEach(
        (who, kinds) -> {
          StringBuilder k = new StringBuilder();
          kinds.forEach((kind, n) -> k.append(' ').append(kind).append('=').append(n));
          line(b, "  %-34s%s", who, k);
        });
    line(b, "Where the data lies:");
    for (StorageSummary.Place p : storage.places()) {
      line(b, "  %-12s %s", p.what(), p.uri());
      line(
          b,
          "  %-12s %d objects, %s%s, by folder %s",
          "",
          p.objects(),
          bytes(p.bytes()),
          p.databases() > 0 ? ", " + p.databases() + " isle database(s)" : "",
          p.folders());
    }
    line(
        b,
        "Result: %s in %.1f s",
        exactlyOnce() ? "EXACTLY ONCE, as the model says" : "FAILED",
        elapsedMillis / 1000.0);
    return b.toString();
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    return n < 1024 * 1024
        ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
        : String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }

  /** Collects the figures while the run goes on. */
  static final class Builder {
    private final JobSettings settings;
    private final String run;
    private Map<String, Total> model;
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private long failed;
    private long restored = -1;
    private long restores;
    private String backend = "?";
    private Lookups lookups;
    private ContinuousQuery.Outcome continuous;
    private Map<String, Total> table;
    private TableFacts.ChangeLog changeLog;
    private Map<String, Map<String, Long>> requests = Map.of();
    private StorageSummary storage;
    private long elapsed;

    Builder(JobSettings settings, String run) {
      this.settings = settings;
      this.run = run;
    }

    void model(Map<String, Total> m) {
      model = m;
    }

    void pipeline(AccessExecutionGraph graph, Map<Long, Long> versions) {
      backend = graph.getStateBackendName().orElse("?");
      CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
      if (stats == null) {
        return;
      }
      failed = stats.getCounts().getNumberOfFailedCheckpoints();
      restores = stats.getCounts().getNumberOfRestoredCheckpoints();
      RestoredCheckpointStats r = stats.getLatestRestoredCheckpoint();
      restored = r == null ? -1 : r.getCheckpointId();
      for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
        if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
          checkpoints.add(
              new Checkpoint(
                  c.getCheckpointId(),
                  c.getStateSize(),
                  c.getCheckpointedSize(),
                  versions.getOrDefault(c.getCheckpointId(), -1L)));
        }
      }
      checkpoints.sort((a, b) -> Long.compare(a.id, b.id));
    }

    void lookups(Lookups l, Map<String, Total> m) {
      lookups = l;
    }

    void continuous(ContinuousQuery.Outcome o) {
      continuous = o;
    }

    void table(Map<String, Total> rows, TableFacts.ChangeLog log) {
      table = rows;
      changeLog = log;
    }

    void gauges(IsleGauges gauges) {
      requests = RequestCounts.of(gauges);
    }

    void storage(StorageSummary s) {
      storage = s;
    }

    void elapsedNanos(long nanos) {
      elapsed = nanos / 1_000_000;
    }

    RunReport build() {
      return new RunReport(
          run,
          settings,
          model.size(),
          table.size(),
          table.equals(model),
          changeLog,
          List.copyOf(checkpoints),
          failed,
          restored,
          restores,
          backend,
          continuous,
          lookups,
          requests,
          storage,
          elapsed);
    }
  }

  /** Groups the isle gauges into request counts by kind. */
  static final class RequestCounts {
    private RequestCounts() {}

    static Map<String, Map<String, Long>> of(IsleGauges gauges) {
      Map<String, Map<String, Long>> out = new TreeMap<>();
      if (gauges == null) {
        return out;
      }
      for (IsleGauges.Seen g : gauges.gauges()) {
        String id = g.id();
        String name = id.substring(id.lastIndexOf(".isle.") + ".isle.".length());
        if (name.equals("requests")) {
          out.computeIfAbsent("state backend (all backends)", k -> new TreeMap<>())
              .merge("TOTAL", g.value(), Long::sum);
        } else if (name.endsWith("Requests")) {
          // One store per keyed backend instance: the sum over instances is the backend's total.
          String kind =
              name.substring(0, name.length() - "Requests".length()).toUpperCase(Locale.ROOT);
          out.computeIfAbsent("state backend (all backends)", k -> new TreeMap<>())
              .merge(kind, g.value(), Long::sum);
        } else if (name.startsWith("store.") && !name.startsWith("store.bytes")) {
          // One shared store per table and JVM, read by every source, sink and lookup of a job:
          // the largest value any of them read is the job's count.
          String job = jobOf(id);
          String kind = name.substring("store.".length()).toUpperCase(Locale.ROOT);
          kind = kind.equals("REQUESTS") ? "TOTAL" : kind;
          out.computeIfAbsent("table, seen from " + job, k -> new TreeMap<>())
              .merge(kind, g.value(), Math::max);
        }
      }
      return out;
    }

    private static String jobOf(String id) {
      for (String job :
          new String[] {"orders-pipeline", "continuous-query", "lookup-join", "read-back"}) {
        if (id.contains(job)) {
          return job;
        }
      }
      return "?";
    }
  }
}
