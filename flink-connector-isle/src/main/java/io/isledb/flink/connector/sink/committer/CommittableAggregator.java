package io.isledb.flink.connector.sink.committer;

import io.isledb.CommitMark;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.flink.connector.sink.writer.IsleWriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The sink's pre-commit step (parallelism 1): gathers the write results of every writer subtask of
 * a checkpoint into one {@link IsleCommittable} tagged with the checkpoint id and the commit user,
 * so the committer publishes one version per checkpoint.
 *
 * <p>Flink forbids unaligned checkpoints between a sink's writer and committer, so every result of
 * checkpoint {@code n} arrives before barrier {@code n}: at {@link #prepareSnapshotPreBarrier} all
 * of it is here and leaves as one committable, before the barrier. At end of input (a bounded job)
 * what is left leaves at once. Nothing is buffered across a checkpoint, so the only state is the
 * commit user, decided at the job's first start and kept from then on: a job restored from a
 * savepoint under a new job id keeps it, so the committables restored with it are recognised as
 * already committed (docs/flink-connector.md, "Commit user").
 */
@Internal
public final class CommittableAggregator
    extends AbstractStreamOperator<CommittableMessage<IsleCommittable>>
    implements OneInputStreamOperator<
            CommittableMessage<IsleWriteResult>, CommittableMessage<IsleCommittable>>,
        BoundedOneInput {
  private static final long serialVersionUID = 1L;

  private final TableLocation location;
  private final String configuredUser;
  private transient String commitUser;
  private transient ListState<String> userState;
  private transient NavigableMap<Long, TreeMap<Integer, List<SstHandle>>> pending;

  /**
   * @param location the table
   * @param configuredUser {@code sink.commit-user}, or null for the default
   */
  public CommittableAggregator(TableLocation location, String configuredUser) {
    this.location = location;
    this.configuredUser = configuredUser;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    pending = new TreeMap<>();
    userState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("isle-commit-user", Types.STRING));
    String restored = null;
    for (String u : userState.get()) {
      restored = u;
    }
    commitUser =
        configuredUser != null
            ? configuredUser
            : restored != null
                ? restored
                : defaultCommitUser(
                    getRuntimeContext().getJobInfo().getJobId().toString(),
                    getOperatorID().toString());
    if (configuredUser != null
        && !context.isRestored()
        && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
      refuseUsedCommitUser();
    }
    LOG.info("Isle sink of {} commits as '{}'", location.uri(), commitUser);
  }

  /**
   * A fresh job numbers its checkpoints from 1 again: under a commit user an earlier job already
   * used, every checkpoint up to that user's mark would be skipped as a replay, and its rows lost.
   */
  private void refuseUsedCommitUser() {
    Optional<CommitMark> mark;
    try (SharedTables.Lease table = SharedTables.acquire(location)) {
      mark = table.db().lastCommitted(configuredUser);
    }
    if (mark.isPresent()) {
      throw new SuppressRestartsException(
          IsleException.invalidArgument(
              "sink.commit-user '"
                  + configuredUser
                  + "' already committed checkpoint "
                  + mark.get().identifier()
                  + " (version "
                  + mark.get().version()
                  + ") to "
                  + location.uri()
                  + ": a job that does not restore that job's checkpoint or savepoint must use"
                  + " another commit user (the default is unique per job), or its checkpoints up"
                  + " to "
                  + mark.get().identifier()
                  + " would be skipped as replays"));
    }
  }

  /** {@code flink-<job id>-<operator id>}: unique per job and sink, 72 ASCII characters. */
  static String defaultCommitUser(String jobId, String operatorId) {
    return "flink-" + jobId + "-" + operatorId;
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    userState.update(List.of(commitUser));
  }

  @Override
  public void processElement(StreamRecord<CommittableMessage<IsleWriteResult>> element) {
    if (element.getValue() instanceof CommittableWithLineage<IsleWriteResult> c) {
      pending
          .computeIfAbsent(c.getCheckpointId(), k -> new TreeMap<>())
          .computeIfAbsent(c.getSubtaskId(), k -> new ArrayList<>())
          .addAll(c.getCommittable().handles());
    }
    // Summaries only count the results: they come before the barrier like the results themselves.
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    emitUpTo(checkpointId);
  }

  @Override
  public void endInput() {
    emitUpTo(Long.MAX_VALUE);
  }

  private void emitUpTo(long checkpointId) {
    Map<Long, TreeMap<Integer, List<SstHandle>>> due = pending.headMap(checkpointId, true);
    for (Map.Entry<Long, TreeMap<Integer, List<SstHandle>>> e : due.entrySet()) {
      List<SstHandle> handles = new ArrayList<>();
      e.getValue().values().forEach(handles::addAll);
      if (handles.isEmpty()) {
        continue;
      }
      long id = e.getKey();
      output.collect(new StreamRecord<>(new CommittableSummary<>(0, 1, id, 1, 0)));
      output.collect(
          new StreamRecord<>(
              new CommittableWithLineage<>(new IsleCommittable(commitUser, id, handles), id, 0)));
    }
    due.clear();
  }
}
