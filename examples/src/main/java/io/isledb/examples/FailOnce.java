package io.isledb.examples;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Passes elements through and throws once: at the first element after checkpoint {@code after}
 * completed, in the first attempt of the task only (the restarted attempt never fails again). The
 * job then restarts from that checkpoint, and its keyed state comes back from the isle state
 * backend.
 *
 * @param <T> the element type
 */
public final class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
  private static final long serialVersionUID = 1L;

  private final long after;
  private transient boolean firstAttempt;
  private transient volatile boolean armed;

  /** Fails after checkpoint {@code after} completed; 0 never fails. */
  public FailOnce(long after) {
    this.after = after;
  }

  @Override
  public void open(OpenContext context) {
    firstAttempt = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
  }

  @Override
  public T map(T value) {
    if (armed) {
      armed = false;
      throw new IllegalStateException(
          "induced task failure after checkpoint " + after + " (the job restarts from it)");
    }
    return value;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (firstAttempt && after > 0 && checkpointId >= after) {
      firstAttempt = false;
      armed = true;
    }
  }
}
