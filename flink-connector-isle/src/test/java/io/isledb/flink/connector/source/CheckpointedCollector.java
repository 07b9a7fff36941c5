package io.isledb.flink.connector.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A two-phase collector for exactly-once tests: what arrives between two checkpoint barriers is
 * kept in the operator state of the later checkpoint and published to {@link #COMMITTED} only when
 * that checkpoint completed (or, after a failover, when the job restored it, since a restored
 * checkpoint is a completed one). Publishing is idempotent per (checkpoint, subtask). So {@link
 * #COMMITTED} holds exactly what the job's completed checkpoints account for: records processed
 * after the last completed checkpoint before a failure are dropped, as the source replays them.
 */
final class CheckpointedCollector extends ProcessFunction<String, String>
    implements CheckpointedFunction, CheckpointListener {
  /** Published records by "checkpoint/subtask" (checkpoint zero-padded, so keys sort). */
  static final Map<String, List<String>> COMMITTED = new ConcurrentHashMap<>();

  private final TreeMap<Long, List<String>> pending = new TreeMap<>();
  private List<String> current = new ArrayList<>();
  private transient ListState<String> state;
  private transient int subtask;

  static int committedCount() {
    return COMMITTED.values().stream().mapToInt(List::size).sum();
  }

  /** Every published record, per subtask in checkpoint order. */
  static List<String> committedInOrder() {
    List<String> out = new ArrayList<>();
    new TreeMap<>(COMMITTED).values().forEach(out::addAll);
    return out;
  }

  @Override
  public void processElement(String value, Context ctx, Collector<String> out) {
    current.add(value);
    out.collect(value);
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    pending.put(context.getCheckpointId(), current);
    current = new ArrayList<>();
    List<String> flat = new ArrayList<>();
    pending.forEach(
        (cp, records) -> {
          for (String r : records) {
            flat.add(cp + "|" + subtask + "|" + r);
          }
          flat.add(cp + "|" + subtask + "|"); // keeps empty checkpoints too
        });
    state.update(flat);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    state =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("pending", Types.STRING));
    if (!context.isRestored()) {
      return;
    }
    Map<String, List<String>> restored = new TreeMap<>();
    for (String e : state.get()) {
      int a = e.indexOf('|');
      int b = e.indexOf('|', a + 1);
      String key = key(Long.parseLong(e.substring(0, a)), Integer.parseInt(e.substring(a + 1, b)));
      List<String> records = restored.computeIfAbsent(key, k -> new ArrayList<>());
      if (b + 1 < e.length()) {
        records.add(e.substring(b + 1));
      }
    }
    restored.forEach(COMMITTED::putIfAbsent);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    var done = pending.headMap(checkpointId, true);
    done.forEach((cp, records) -> COMMITTED.putIfAbsent(key(cp, subtask), List.copyOf(records)));
    done.clear();
  }

  private static String key(long checkpoint, int subtask) {
    return String.format("%012d/%03d", checkpoint, subtask);
  }
}
