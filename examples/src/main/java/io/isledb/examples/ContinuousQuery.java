package io.isledb.examples;

import io.isledb.examples.Orders.Total;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * A streaming {@code SELECT} on the isle table (the table's rows, then every change committed after
 * them), applied to a map in a thread of its own until the map equals the model; then the query's
 * job is cancelled.
 */
final class ContinuousQuery extends Thread {
  private final TableResult result;
  private final Map<String, Total> model;
  private final Map<String, Total> rows = new TreeMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile long changes;
  private volatile long caughtUpNanos;
  private final long startNanos = System.nanoTime();

  /** What the query saw: changes, whether it reached the model, after how long. */
  record Outcome(long changes, boolean reachedModel, long millis, int rows) {}

  ContinuousQuery(TableResult result, Map<String, Total> model) {
    super("continuous-query");
    setDaemon(true);
    this.result = result;
    this.model = model;
  }

  @Override
  public void run() {
    try (CloseableIterator<Row> it = result.collect()) {
      while (it.hasNext()) {
        Row r = it.next();
        changes++;
        synchronized (rows) {
          MainJob.apply(rows, r);
          if (rows.size() == model.size() && rows.equals(model)) {
            caughtUpNanos = System.nanoTime();
            caughtUp.countDown();
            return;
          }
        }
      }
    } catch (Exception e) {
      // Cancelled by awaitModel after its timeout: the outcome says the model was not reached.
    }
  }

  /** Waits until the query's rows equal the model (at most the timeout), then stops the query. */
  Outcome awaitModel(long timeout, TimeUnit unit) throws Exception {
    boolean reached = caughtUp.await(timeout, unit);
    result.getJobClient().orElseThrow().cancel().exceptionally(t -> null).get();
    join(TimeUnit.SECONDS.toMillis(30));
    synchronized (rows) {
      return new Outcome(
          changes,
          reached,
          reached ? TimeUnit.NANOSECONDS.toMillis(caughtUpNanos - startNanos) : -1,
          rows.size());
    }
  }
}
