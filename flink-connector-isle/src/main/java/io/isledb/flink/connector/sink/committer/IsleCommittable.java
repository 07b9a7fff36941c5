package io.isledb.flink.connector.sink.committer;

import io.isledb.SstHandle;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Everything one checkpoint of a sink wrote, from all its writer subtasks: committed by the sink's
 * committer as one version, {@code IsleDB.commit(handles, commitUser, checkpointId)}, so a replay
 * (after a failover, from the committer's checkpointed state) is a no-op.
 *
 * @param commitUser the sink's commit user (docs/flink-connector.md, "Commit user")
 * @param checkpointId the checkpoint whose rows these are; the commit's identifier
 * @param handles the tables, ordered by writer subtask
 */
@Internal
public record IsleCommittable(String commitUser, long checkpointId, List<SstHandle> handles) {
  public IsleCommittable {
    Objects.requireNonNull(commitUser, "commitUser");
    handles = List.copyOf(handles);
  }

  @Override
  public String toString() {
    return "IsleCommittable{user="
        + commitUser
        + ", checkpoint="
        + checkpointId
        + ", tables="
        + handles.size()
        + "}";
  }
}
