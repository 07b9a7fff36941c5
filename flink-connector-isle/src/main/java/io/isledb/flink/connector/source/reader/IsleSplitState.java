package io.isledb.flink.connector.source.reader;

import io.isledb.TailPosition;
import io.isledb.flink.connector.source.split.IsleSplit;

/** A split's progress as far as its records were emitted (so as a checkpoint must record it). */
final class IsleSplitState {
  private final IsleSplit split;
  private byte[] resumeAfter;
  private boolean snapshotDone;
  private TailPosition tail;

  IsleSplitState(IsleSplit split) {
    this.split = split;
    this.resumeAfter = split.resumeAfter();
    this.snapshotDone = split.snapshotDone();
    this.tail = split.tail();
  }

  void emittedRow(byte[] key) {
    resumeAfter = key;
  }

  void scanDone() {
    snapshotDone = true;
  }

  void emittedChange(TailPosition next) {
    tail = next;
  }

  IsleSplit toSplit() {
    return split.withProgress(resumeAfter, snapshotDone, tail);
  }
}
