package io.isledb.flink.connector.source.internal;

import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * A reader tells the enumerator that it read these bounded splits to the end. A reader keeps the
 * ids in its checkpointed state and sends them again after every restore, so the enumerator learns
 * of each finished split even when the first event raced with a checkpoint (the enumerator's state
 * is taken before the readers'); the enumerator treats repeats as no-ops.
 *
 * @param splitIds ids of the finished splits
 */
public record SplitsFinishedEvent(List<String> splitIds) implements SourceEvent {
  private static final long serialVersionUID = 1L;

  public SplitsFinishedEvent {
    splitIds = List.copyOf(splitIds);
  }
}
