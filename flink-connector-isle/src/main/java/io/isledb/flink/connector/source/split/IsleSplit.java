package io.isledb.flink.connector.source.split;

import io.isledb.TailPosition;
import io.isledb.flink.connector.codec.KeyRange;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One key range {@code [from, to)} of the table and how far it was read. Immutable; the reader's
 * mutable progress lives in {@code IsleSplitState}.
 *
 * <ul>
 *   <li>A <b>bounded</b> split scans its range at {@link #snapshotVersion()} (kept by the job's
 *       version pin) and finishes; {@link #resumeAfter()} is the last key emitted.
 *   <li>An <b>unbounded</b> split first scans its range at {@link #snapshotVersion()} if it has one
 *       ('full' mode), then tails the range's changes from {@link #tail()} forever. Its history pin
 *       {@link #pinName()} keeps what it still needs. The snapshot and the tail of one key range
 *       stay on one split, so one subtask emits them in order: a key's change never overtakes its
 *       snapshot row.
 *   <li>A <b>finished mark</b> only stands in a reader's state for a bounded split it finished (see
 *       {@code SplitsFinishedEvent}).
 * </ul>
 *
 * @param index the split's number, unique within the source ({@link #splitId()})
 * @param from first key (null: unbounded below)
 * @param to first key after the range (null: unbounded above)
 * @param snapshotVersion the version scanned first, -1 for none
 * @param resumeAfter last key of the scan already emitted (null: none yet)
 * @param snapshotDone whether the scan is complete (unbounded splits then tail)
 * @param tail next tail position (null for bounded splits)
 * @param pinName the history pin of an unbounded split (null for bounded splits)
 * @param finishedMark whether this only marks a finished bounded split
 * @param ranges the disjoint key ranges inside {@code [from, to)} the split reads, in key order
 *     (null: all of {@code [from, to)}); keys between them are never scanned, and changes to them
 *     are not emitted
 */
@Internal
public record IsleSplit(
    int index,
    byte[] from,
    byte[] to,
    long snapshotVersion,
    byte[] resumeAfter,
    boolean snapshotDone,
    TailPosition tail,
    String pinName,
    boolean finishedMark,
    List<KeyRange> ranges)
    implements SourceSplit {

  public IsleSplit {
    from = copy(from);
    to = copy(to);
    resumeAfter = copy(resumeAfter);
    ranges = ranges == null ? null : List.copyOf(ranges);
  }

  /** A split of the whole {@code [from, to)} (no disjoint ranges inside). */
  public IsleSplit(
      int index,
      byte[] from,
      byte[] to,
      long snapshotVersion,
      byte[] resumeAfter,
      boolean snapshotDone,
      TailPosition tail,
      String pinName,
      boolean finishedMark) {
    this(
        index,
        from,
        to,
        snapshotVersion,
        resumeAfter,
        snapshotDone,
        tail,
        pinName,
        finishedMark,
        null);
  }

  /** This split reading only {@code ranges} (disjoint, in key order, inside its bounds). */
  public IsleSplit withRanges(List<KeyRange> ranges) {
    return new IsleSplit(
        index,
        from,
        to,
        snapshotVersion,
        resumeAfter,
        snapshotDone,
        tail,
        pinName,
        finishedMark,
        ranges);
  }

  /** The key ranges the split reads, in key order: {@link #ranges()} or all of its bounds. */
  public List<KeyRange> readRanges() {
    return ranges != null ? ranges : List.of(new KeyRange(from, to));
  }

  /** Whether {@code key} lies in one of the ranges the split reads. */
  public boolean reads(byte[] key) {
    for (KeyRange r : readRanges()) {
      if (r.contains(key)) {
        return true;
      }
    }
    return false;
  }

  /** A split that scans {@code [from, to)} of {@code version} and finishes. */
  public static IsleSplit bounded(int index, long version, byte[] from, byte[] to) {
    return new IsleSplit(index, from, to, version, null, false, null, null, false);
  }

  /**
   * A split that scans {@code [from, to)} of {@code snapshotVersion} (none if -1), then tails the
   * range from {@code tail}, holding the history pin {@code pinName}.
   */
  public static IsleSplit unbounded(
      int index, byte[] from, byte[] to, long snapshotVersion, TailPosition tail, String pinName) {
    Objects.requireNonNull(tail, "tail");
    Objects.requireNonNull(pinName, "pinName");
    return new IsleSplit(
        index, from, to, snapshotVersion, null, snapshotVersion < 0, tail, pinName, false);
  }

  /** The mark a reader keeps for the finished bounded split {@code index}. */
  public static IsleSplit finishedMark(int index) {
    return new IsleSplit(index, null, null, -1, null, true, null, null, true);
  }

  /** This split with its progress replaced. */
  public IsleSplit withProgress(byte[] resumeAfter, boolean snapshotDone, TailPosition tail) {
    return new IsleSplit(
        index,
        from,
        to,
        snapshotVersion,
        resumeAfter,
        snapshotDone,
        tail,
        pinName,
        finishedMark,
        ranges);
  }

  /** The split id of split number {@code index}. */
  public static String idOf(int index) {
    return "isle-" + index;
  }

  @Override
  public String splitId() {
    return idOf(index);
  }

  /** Whether this split tails (unbounded) after its scan. */
  public boolean isUnbounded() {
    return tail != null;
  }

  /** Whether the split still has rows of its snapshot version to scan. */
  public boolean scanning() {
    return snapshotVersion >= 0 && !snapshotDone;
  }

  /**
   * The version the split's history pin must keep: the one before its tail position (that keeps the
   * snapshot version readable as well, while the scan runs).
   */
  public long historyPinVersion() {
    return tail.version() - 1;
  }

  @Override
  public byte[] from() {
    return copy(from);
  }

  @Override
  public byte[] to() {
    return copy(to);
  }

  @Override
  public byte[] resumeAfter() {
    return copy(resumeAfter);
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IsleSplit s
        && index == s.index
        && snapshotVersion == s.snapshotVersion
        && snapshotDone == s.snapshotDone
        && finishedMark == s.finishedMark
        && Arrays.equals(from, s.from)
        && Arrays.equals(to, s.to)
        && Arrays.equals(resumeAfter, s.resumeAfter)
        && Objects.equals(tail, s.tail)
        && Objects.equals(pinName, s.pinName)
        && Objects.equals(ranges, s.ranges);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, snapshotVersion, tail, Arrays.hashCode(resumeAfter));
  }

  @Override
  public String toString() {
    if (finishedMark) {
      return "IsleSplit[" + splitId() + " finished]";
    }
    return "IsleSplit["
        + splitId()
        + " ["
        + hex(from)
        + ", "
        + hex(to)
        + ")"
        + (snapshotVersion < 0 ? "" : " scan @" + snapshotVersion + (snapshotDone ? " done" : ""))
        + (ranges == null ? "" : " " + ranges.size() + " ranges")
        + (tail == null ? "" : " tail " + tail + " pin " + pinName)
        + "]";
  }

  private static String hex(byte[] b) {
    return b == null ? "*" : HexFormat.of().formatHex(b);
  }
}
