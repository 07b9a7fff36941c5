package io.isledb.sst;

import io.isledb.CorruptionException;

/** Builds {@link CorruptionException}s that name the table and the place in it. */
final class Corruption {
  private Corruption() {}

  /** "sst NAME: WHAT at offset OFFSET: PROBLEM". */
  static CorruptionException at(String table, String what, long offset, String problem) {
    return new CorruptionException(
        "sst " + table + ": " + what + " at offset " + offset + ": " + problem);
  }

  /** Like {@link #at(String, String, long, String)} with a cause. */
  static CorruptionException at(
      String table, String what, long offset, String problem, Throwable cause) {
    return new CorruptionException(
        "sst " + table + ": " + what + " at offset " + offset + ": " + problem, cause);
  }

  /** "sst NAME: PROBLEM", for problems that concern the file as a whole. */
  static CorruptionException of(String table, String problem) {
    return new CorruptionException("sst " + table + ": " + problem);
  }
}
