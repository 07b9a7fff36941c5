package io.isledb.flink.connector.source.reader;

import io.isledb.flink.connector.source.IsleRecordDeserializer;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.internal.SplitsFinishedEvent;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * The reader of an {@code IsleSource} subtask: one {@link IsleSplitReader} at a time on Flink's
 * fetcher thread reads the subtask's splits (Flink replaces an idle fetcher by a new one), all over
 * the subtask's one table reader ({@link ScanViews}).
 *
 * <p>Bounded: asks the enumerator for a split whenever it has none, and reports finished splits
 * ({@link SplitsFinishedEvent}), keeping their ids in its state (as finished marks) so the report
 * survives a failover. Unbounded: holds its splits forever and moves their history pins to the
 * positions of each completed checkpoint ({@link HistoryPins}).
 */
@Internal
public final class IsleSourceReader<T>
    extends SingleThreadMultiplexSourceReaderBase<Fetched, T, IsleSplit, IsleSplitState> {
  private final ScanConfig config;
  private final IsleRecordDeserializer<T> deserializer;
  private final Set<Integer> finished = new TreeSet<>();
  private final HistoryPins pins;

  /** The task's table, reader and loaded versions, shared by its split readers. */
  private final ScanViews views;

  /** Rows this subtask's split readers scanned (for a bounded scan's limit). */
  private final AtomicLong scanned;

  public IsleSourceReader(
      ScanConfig config, IsleRecordDeserializer<T> deserializer, SourceReaderContext context) {
    this(config, deserializer, context, new SourceGauges());
  }

  private IsleSourceReader(
      ScanConfig config,
      IsleRecordDeserializer<T> deserializer,
      SourceReaderContext context,
      SourceGauges gauges) {
    this(config, deserializer, context, gauges, new AtomicLong());
  }

  private IsleSourceReader(
      ScanConfig config,
      IsleRecordDeserializer<T> deserializer,
      SourceReaderContext context,
      SourceGauges gauges,
      AtomicLong scanned) {
    this(config, deserializer, context, gauges, scanned, new ScanViews(config.location(), gauges));
  }

  private IsleSourceReader(
      ScanConfig config,
      IsleRecordDeserializer<T> deserializer,
      SourceReaderContext context,
      SourceGauges gauges,
      AtomicLong scanned,
      ScanViews views) {
    super(
        () -> new IsleSplitReader(config, gauges, scanned, views),
        new IsleRecordEmitter<>(deserializer),
        new Configuration(),
        context);
    gauges.register(context.metricGroup());
    this.config = config;
    this.deserializer = deserializer;
    this.scanned = scanned;
    this.views = views;
    this.pins = config.bounded() ? null : new HistoryPins(config, owner(context));
  }

  @Override
  public void start() {
    super.start();
    try {
      deserializer.open();
    } catch (Exception e) {
      throw new FlinkRuntimeException("IsleSource: the deserializer failed to open", e);
    }
    if (config.bounded() && getNumberOfCurrentlyAssignedSplits() == 0) {
      context.sendSplitRequest();
    }
  }

  @Override
  public void addSplits(List<IsleSplit> splits) {
    List<IsleSplit> toRead = new ArrayList<>();
    List<String> marks = new ArrayList<>();
    for (IsleSplit s : splits) {
      if (s.finishedMark()) {
        finished.add(s.index());
        marks.add(s.splitId());
      } else {
        toRead.add(s);
      }
    }
    if (!toRead.isEmpty() && IsleSplitReader.limitReached(config, scanned.get())) {
      // The limit is reached: later splits finish unread (no fetcher, no request).
      for (IsleSplit s : toRead) {
        finished.add(s.index());
        marks.add(s.splitId());
      }
      toRead.clear();
      context.sendSourceEventToCoordinator(new SplitsFinishedEvent(marks));
      context.sendSplitRequest();
      return;
    }
    if (!marks.isEmpty()) {
      context.sendSourceEventToCoordinator(new SplitsFinishedEvent(marks));
    }
    if (!toRead.isEmpty()) {
      super.addSplits(toRead);
    }
  }

  @Override
  protected void onSplitFinished(Map<String, IsleSplitState> finishedSplits) {
    List<String> ids = new ArrayList<>(finishedSplits.keySet());
    for (IsleSplitState s : finishedSplits.values()) {
      finished.add(s.toSplit().index());
    }
    context.sendSourceEventToCoordinator(new SplitsFinishedEvent(ids));
    if (config.bounded()) {
      context.sendSplitRequest();
    }
  }

  @Override
  public List<IsleSplit> snapshotState(long checkpointId) {
    List<IsleSplit> state = new ArrayList<>(super.snapshotState(checkpointId));
    if (pins != null) {
      pins.checkpointed(checkpointId, state);
    }
    for (int i : finished) {
      state.add(IsleSplit.finishedMark(i));
    }
    return state;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    if (pins != null) {
      pins.completed(checkpointId);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      try {
        if (pins != null) {
          pins.close();
        }
      } finally {
        views.close();
      }
    }
  }

  @Override
  protected IsleSplitState initializedState(IsleSplit split) {
    return new IsleSplitState(split);
  }

  @Override
  protected IsleSplit toSplitType(String splitId, IsleSplitState state) {
    return state.toSplit();
  }

  private static String owner(SourceReaderContext context) {
    String job = context.metricGroup().getAllVariables().get("<job_id>");
    return "flink job " + (job == null ? "unknown" : job);
  }
}
