package io.isledb.flink.connector.source.reader;

import io.isledb.IsleException;
import io.isledb.PinOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the history pins of a reader's unbounded splits to each completed checkpoint: the pin of a
 * split is rewritten at {@code position.version - 1} of the split's checkpointed position when that
 * moved, or when the last write is older than a quarter of {@code scan.pin.ttl} (renewal). Only
 * completed checkpoints count: a failover resumes from one of them, never from a later snapshot, so
 * the pin never passes a position the job may still return to.
 *
 * <p>The engine accepts a forward move however far behind the split is (docs/PROTOCOL.md, "Moving a
 * history pin forward"). A move that fails anyway (storage unavailable, the pin expired) keeps the
 * earlier pin, is logged and is retried at the next checkpoint.
 */
final class HistoryPins implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryPins.class);

  private final ScanConfig config;
  private final PinOptions options;
  private final TreeMap<Long, Map<String, Long>> byCheckpoint = new TreeMap<>();
  private final Map<String, Long> pinnedVersion = new HashMap<>();
  private final Map<String, Long> pinnedAtNanos = new HashMap<>();
  private SharedTables.Lease lease;

  HistoryPins(ScanConfig config, String owner) {
    this.config = config;
    this.options = PinOptions.defaults().withOwner(owner).withTtl(config.pinTtl());
  }

  /** Records what the pins must keep if checkpoint {@code checkpointId} completes. */
  void checkpointed(long checkpointId, List<IsleSplit> splits) {
    Map<String, Long> need = new HashMap<>();
    for (IsleSplit s : splits) {
      if (s.isUnbounded()) {
        need.put(s.pinName(), s.historyPinVersion());
      }
    }
    byCheckpoint.put(checkpointId, need);
  }

  /** Moves (or renews) the pins to what checkpoint {@code checkpointId} needs. */
  void completed(long checkpointId) {
    Map<String, Long> need = byCheckpoint.get(checkpointId);
    byCheckpoint.headMap(checkpointId, true).clear();
    if (need == null) {
      return;
    }
    long renewNanos = config.pinTtl().toNanos() / 4;
    long now = System.nanoTime();
    for (Map.Entry<String, Long> e : need.entrySet()) {
      String name = e.getKey();
      long version = e.getValue();
      Long pinned = pinnedVersion.get(name);
      Long at = pinnedAtNanos.get(name);
      if (pinned != null && pinned >= version && at != null && now - at < renewNanos) {
        continue;
      }
      try {
        if (lease == null) {
          lease = SharedTables.acquire(config.location());
        }
        lease.db().pinHistory(name, version, options);
        pinnedVersion.put(name, version);
        pinnedAtNanos.put(name, now);
      } catch (IsleException ex) {
        LOG.warn(
            "IsleSource could not move history pin {} of {} to version {}; the earlier pin"
                + " stays and the move is retried at the next checkpoint",
            name,
            config.location(),
            version,
            ex);
      }
    }
  }

  /** The versions the pins were last written at (for tests). */
  Map<String, Long> pinned() {
    return Map.copyOf(pinnedVersion);
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
