package io.isledb.flink.connector.source.enumerator;

import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;

/**
 * The enumerator's checkpointed state.
 *
 * @param planned whether the splits were planned (and the pins written); a restored enumerator
 *     never plans again, so it reuses the pins and version of the first attempt
 * @param version the version a bounded scan reads (pinned), or the one an unbounded scan started
 *     after; -1 before planning
 * @param pinName the bounded scan's version pin, or the base name of an unbounded scan's history
 *     pins; null before planning
 * @param pending splits not assigned to a reader yet
 * @param unfinished indexes of the bounded splits no reader reported finished yet
 */
@Internal
public record IsleEnumeratorState(
    boolean planned,
    long version,
    String pinName,
    List<IsleSplit> pending,
    Set<Integer> unfinished) {
  public IsleEnumeratorState {
    pending = List.copyOf(pending);
    unfinished = java.util.Collections.unmodifiableSet(new TreeSet<>(unfinished));
  }

  /** The state of an enumerator that has not planned yet. */
  public static IsleEnumeratorState initial() {
    return new IsleEnumeratorState(false, -1, null, List.of(), Set.of());
  }
}
