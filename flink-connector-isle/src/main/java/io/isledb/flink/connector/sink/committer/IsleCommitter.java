package io.isledb.flink.connector.sink.committer;

import io.isledb.CommitResult;
import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.UploadExpiredException;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each checkpoint of the sink as one version: {@code IsleDB.commit(handles, commitUser,
 * checkpointId)}. All committables of a checkpoint reach one committer subtask as one {@link
 * IsleCommittable} (the sink's aggregator makes it). Flink calls {@link #commit} when the
 * checkpoint completes and again, with the checkpointed committables, after a failover; the
 * engine's mark of the commit user makes every such replay a no-op returning the version that
 * committed it.
 *
 * <p>The committer has a database of its own (not the JVM-shared one): its first new commit claims
 * the table's writer role, fencing any other committer (another job, or a zombie attempt). A fenced
 * committer fails its job without restarts: restarting would fence the newer job in turn.
 */
@Internal
public final class IsleCommitter implements Committer<IsleCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(IsleCommitter.class);

  private final TableLocation location;
  private final Map<String, String> tableProperties;
  private final java.util.Set<String> writeOnceKeys;
  private boolean propertiesCommitted;
  private SharedTables.Lease table;
  private volatile long lastCommitMillis = -1;
  private volatile long lastVersion = -1;
  private volatile long lastCheckpoint = -1;

  /**
   * A committer of the table at {@code location}; opens the database at the first commit.
   *
   * @param tableProperties set atomically with this instance's first new commit (none if empty)
   * @param writeOnceKeys keys of {@code tableProperties} the table may hold only with these values
   * @param metrics where the isle gauges go, or null
   */
  public IsleCommitter(
      TableLocation location,
      Map<String, String> tableProperties,
      java.util.Set<String> writeOnceKeys,
      SinkCommitterMetricGroup metrics) {
    this.location = location;
    this.tableProperties = Map.copyOf(tableProperties);
    this.writeOnceKeys = java.util.Set.copyOf(writeOnceKeys);
    this.propertiesCommitted = this.tableProperties.isEmpty();
    if (metrics != null) {
      var g = metrics.addGroup("isle");
      g.gauge("lastCommitDurationMs", () -> lastCommitMillis);
      g.gauge("lastCommittedVersion", () -> lastVersion);
      g.gauge("lastCommittedCheckpoint", () -> lastCheckpoint);
    }
  }

  @Override
  public void commit(Collection<CommitRequest<IsleCommittable>> requests) {
    List<CommitRequest<IsleCommittable>> ordered = new ArrayList<>(requests);
    // Identifiers must be committed in increasing order: a lower one after a higher is skipped.
    ordered.sort(Comparator.comparingLong(r -> r.getCommittable().checkpointId()));
    for (CommitRequest<IsleCommittable> request : ordered) {
      commitOne(request);
    }
  }

  private void commitOne(CommitRequest<IsleCommittable> request) {
    IsleCommittable c = request.getCommittable();
    if (table == null) {
      table = SharedTables.acquireDedicated(location);
    }
    if (!propertiesCommitted && !writeOnceKeys.isEmpty()) {
      requireNoConflictingProperties();
    }
    long start = System.nanoTime(); // a metric only: no engine logic reads this clock
    CommitResult r;
    try {
      r =
          table
              .db()
              .commit(
                  c.handles(),
                  c.commitUser(),
                  c.checkpointId(),
                  propertiesCommitted ? Map.of() : tableProperties);
    } catch (UploadExpiredException e) {
      // Restarting cannot bring the tables back: stop, naming what to change.
      throw new SuppressRestartsException(
          new IsleException(
              IsleException.Kind.INVALID_ARGUMENT,
              "the sink of commit user '"
                  + c.commitUser()
                  + "' cannot commit checkpoint "
                  + c.checkpointId()
                  + " to "
                  + location.uri()
                  + ": its uploaded tables were kept for 'sink.lease-ttl' (builder leaseTtl) and"
                  + " collected by GC after it ran out (the job was stopped, or this checkpoint"
                  + " stayed uncommitted, longer than that). That checkpoint's rows are lost;"
                  + " start the job without this state, and raise 'sink.lease-ttl' above the"
                  + " longest time the job may be stopped. ("
                  + e.getMessage()
                  + ")",
              e));
    } catch (FencedException e) {
      throw new SuppressRestartsException(
          new FencedException(
              "the sink of commit user '"
                  + c.commitUser()
                  + "' was fenced while committing checkpoint "
                  + c.checkpointId()
                  + " to "
                  + location.uri()
                  + ": another job (or writer) now writes this table; this job stops instead of"
                  + " fencing it back",
              e));
    }
    lastCommitMillis = (System.nanoTime() - start) / 1_000_000;
    propertiesCommitted |= !r.duplicate(); // a replay sets nothing: the next commit carries them
    lastVersion = r.version();
    lastCheckpoint = c.checkpointId();
    if (r.duplicate()) {
      request.signalAlreadyCommitted();
      LOG.info(
          "{} checkpoint {} of commit user '{}' was already committed (version {})",
          location.uri(),
          c.checkpointId(),
          c.commitUser(),
          r.version());
    } else {
      LOG.debug(
          "{} committed checkpoint {} of '{}' ({} tables) as version {}",
          location.uri(),
          c.checkpointId(),
          c.commitUser(),
          c.handles().size(),
          r.version());
    }
  }

  /**
   * A write-once property (a schema version, say) that the table already holds with another value
   * was set by another job meanwhile, and overwriting it would change how that job's rows read.
   * Refuse instead, naming the property.
   */
  private void requireNoConflictingProperties() {
    Map<String, String> current;
    try (Reader reader =
            table.db().openReader(ReaderOptions.defaults().withOffHeapBlockCache(false));
        ReadView view = reader.snapshot()) {
      current = view.properties();
    }
    for (String key : writeOnceKeys) {
      String existing = current.get(key);
      Map.Entry<String, String> e = Map.entry(key, tableProperties.get(key));
      if (existing != null && !existing.equals(e.getValue())) {
        throw new SuppressRestartsException(
            new IsleException(
                IsleException.Kind.CONFLICT,
                "table property '"
                    + e.getKey()
                    + "' of "
                    + location.uri()
                    + " was set to another value by another job since this job was planned;"
                    + " plan the job again"));
      }
    }
  }

  @Override
  public void close() {
    if (table != null) {
      table.close();
      table = null;
    }
  }
}
