package io.isledb.flink.connector.source.enumerator;

import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.internal.SplitsFinishedEvent;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans the splits at the first start (writing the pins that keep what they read) and hands them
 * out: a bounded scan's splits to whichever reader asks (pull), an unbounded scan's split {@code i}
 * to subtask {@code i mod parallelism} (push; its reader keeps it forever).
 *
 * <p>A bounded scan's version pin is released once every split is finished for good: when a
 * checkpoint whose state says so completes, or at close if checkpoints never ran (batch mode, or
 * none since). Released any earlier, a failover back to a checkpoint with unfinished splits could
 * not read them; kept longer (a job that ends between the last split and the next checkpoint) it
 * lives until its ttl ({@code scan.pin.ttl}). Unbounded scans' history pins belong to their
 * readers, which move them; the user removes them when the job is gone for good.
 */
@Internal
public final class IsleEnumerator implements SplitEnumerator<IsleSplit, IsleEnumeratorState> {
  private static final Logger LOG = LoggerFactory.getLogger(IsleEnumerator.class);

  private final ScanConfig config;
  private final SplitEnumeratorContext<IsleSplit> context;
  private final List<IsleSplit> pending = new ArrayList<>();
  private final Set<Integer> unfinished = new TreeSet<>();

  /** Whether each checkpoint taken saw every bounded split finished. */
  private final TreeMap<Long, Boolean> checkpoints = new TreeMap<>();

  private boolean planned;
  private long version;
  private String pinName;
  private boolean checkpointsTaken;
  private boolean finishedCheckpointed;
  private boolean released;

  /** An enumerator starting from {@code state} ({@link IsleEnumeratorState#initial()} if new). */
  public IsleEnumerator(
      ScanConfig config, SplitEnumeratorContext<IsleSplit> context, IsleEnumeratorState state) {
    this.config = config;
    this.context = context;
    this.planned = state.planned();
    this.version = state.version();
    this.pinName = state.pinName();
    this.pending.addAll(state.pending());
    this.unfinished.addAll(state.unfinished());
    // Restored from a completed checkpoint that saw everything finished: nothing can go back.
    this.finishedCheckpointed = planned && config.bounded() && unfinished.isEmpty();
  }

  @Override
  public void start() {
    if (planned) {
      return;
    }
    String name = config.consumerId() != null ? config.consumerId() : derivedName();
    String owner = "flink job " + variable("<job_id>", "unknown");
    try (SharedTables.Lease lease = SharedTables.acquire(config.location())) {
      SplitPlanner.Plan plan =
          SplitPlanner.plan(lease.db(), config, context.currentParallelism(), name, owner);
      version = plan.version();
      pinName = plan.pinName();
      pending.addAll(plan.splits());
      if (config.bounded()) {
        plan.splits().forEach(s -> unfinished.add(s.index()));
      }
      planned = true;
      LOG.info(
          "IsleSource on {} planned {} splits at version {} (pin {})",
          config.location(),
          plan.splits().size(),
          version,
          pinName);
    }
    if (!config.bounded()) {
      context.registeredReaders().keySet().forEach(this::assignOwned);
    }
  }

  @Override
  public void handleSplitRequest(int subtask, String requesterHostname) {
    if (!config.bounded()) {
      return; // unbounded splits are pushed to their owners
    }
    if (pending.isEmpty()) {
      context.signalNoMoreSplits(subtask);
    } else {
      context.assignSplit(pending.remove(0), subtask);
    }
  }

  @Override
  public void addSplitsBack(List<IsleSplit> splits, int subtask) {
    pending.addAll(splits);
    if (!config.bounded() && context.registeredReaders().containsKey(subtask)) {
      assignOwned(subtask);
    }
  }

  @Override
  public void addReader(int subtask) {
    if (!config.bounded() && planned) {
      assignOwned(subtask);
    }
  }

  private void assignOwned(int subtask) {
    int p = context.currentParallelism();
    List<IsleSplit> mine = new ArrayList<>();
    for (Iterator<IsleSplit> it = pending.iterator(); it.hasNext(); ) {
      IsleSplit s = it.next();
      if (s.index() % p == subtask) {
        mine.add(s);
        it.remove();
      }
    }
    if (!mine.isEmpty()) {
      context.assignSplits(new SplitsAssignment<>(Map.of(subtask, mine)));
    }
  }

  @Override
  public void handleSourceEvent(int subtask, SourceEvent event) {
    if (event instanceof SplitsFinishedEvent f) {
      for (String id : f.splitIds()) {
        unfinished.remove(Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)));
      }
    }
  }

  @Override
  public IsleEnumeratorState snapshotState(long checkpointId) {
    checkpointsTaken = true;
    checkpoints.put(checkpointId, planned && unfinished.isEmpty());
    return new IsleEnumeratorState(planned, version, pinName, pending, unfinished);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    Boolean allFinished = checkpoints.get(checkpointId);
    checkpoints.headMap(checkpointId, true).clear();
    if (Boolean.TRUE.equals(allFinished)) {
      finishedCheckpointed = true;
      releaseBoundedPin();
    }
  }

  @Override
  public void close() {
    if (planned && unfinished.isEmpty() && (!checkpointsTaken || finishedCheckpointed)) {
      releaseBoundedPin();
    }
  }

  private void releaseBoundedPin() {
    if (!config.bounded() || released || pinName == null || version <= 0) {
      return;
    }
    released = true;
    try (SharedTables.Lease lease = SharedTables.acquire(config.location())) {
      lease.db().unpin(pinName);
      LOG.info("IsleSource released pin {} of {}", pinName, config.location());
    } catch (RuntimeException e) {
      // The pin expires after scan.pin.ttl anyway; a failed release must not fail the job.
      LOG.warn("IsleSource could not release pin {} of {}", pinName, config.location(), e);
    }
  }

  /** {@code flink-<job id>-<operator id>}, or a random name if the metric scope lacks them. */
  private String derivedName() {
    String job = variable("<job_id>", null);
    String op = variable("<operator_id>", null);
    if (job == null || op == null) {
      String random = UUID.randomUUID().toString().replace("-", "");
      LOG.warn("IsleSource: no job or operator id in scope; pin name uses {}", random);
      return "flink-" + random;
    }
    return "flink-" + job + "-" + op;
  }

  private String variable(String key, String fallback) {
    try {
      String v = context.metricGroup().getAllVariables().get(key);
      return v == null || v.isEmpty() ? fallback : v;
    } catch (RuntimeException e) {
      return fallback;
    }
  }
}
