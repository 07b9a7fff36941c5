package io.isledb.manifest;

import io.isledb.util.Internal;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Builds the folded state a {@code fork} edit carries (docs/PROTOCOL.md section 9). */
@Internal
public final class ForkState {
  private ForkState() {}

  /**
   * The state of a fork: {@code l0} (newest first) and {@code runs} (newest first, run ids from 1),
   * the largest sequence number of its sources, the table properties it starts with and its
   * sources.
   */
  public static ManifestState of(
      List<SstMeta> l0,
      List<SortedRun> runs,
      long lastSeq,
      Map<String, String> properties,
      Collection<SourcePin> sources) {
    long nextRunId = 1;
    for (SortedRun r : runs) {
      nextRunId = Math.max(nextRunId, r.id() + 1);
    }
    return ManifestState.fromSnapshot(
        0,
        Map.of(),
        lastSeq,
        l0,
        runs,
        Map.of(),
        -1,
        -1,
        nextRunId,
        CommitState.of(List.of(), properties, sources));
  }
}
