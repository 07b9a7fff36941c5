package io.isledb.storage;

import io.isledb.IsleException;

/** The argument checks of ranged reads, shared by every {@link io.isledb.ObjectStore}. */
final class ObjectRanges {
  private ObjectRanges() {}

  /** Rejects a negative offset or length. */
  public static void checkRange(long offset, int length) {
    if (offset < 0 || length < 0) {
      throw IsleException.invalidArgument(
          "range offset " + offset + " and length " + length + " must not be negative");
    }
  }

  /** Rejects a negative object size passed by a caller that knows it. */
  public static void checkObjectSize(long objectSize) {
    if (objectSize < 0) {
      throw IsleException.invalidArgument("object size " + objectSize + " must not be negative");
    }
  }
}
