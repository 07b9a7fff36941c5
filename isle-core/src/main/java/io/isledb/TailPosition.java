package io.isledb;

/**
 * A position in the change stream: the next change to read is change number {@code offset} of the
 * manifest edit at {@code version}. Save {@link #toString()} and resume with {@link #parse}: a
 * consumer that restarts from its saved position misses and repeats nothing. The offset counts
 * every change of the edit, whatever key range the reader that produced the position was limited
 * to: a position is a point of the global commit order, valid for a reader with any key range.
 *
 * @param version a manifest log position, at least 1
 * @param offset index of the next change within that edit
 */
public record TailPosition(long version, long offset) {
  public TailPosition {
    if (version < 1 || offset < 0) {
      throw IsleException.invalidArgument(
          "tail position needs version >= 1 and offset >= 0, got " + version + ":" + offset);
    }
  }

  /** The position of the first edit ever written. */
  public static TailPosition start() {
    return new TailPosition(1, 0);
  }

  /** Parses the form written by {@link #toString()}: {@code <version>:<offset>}. */
  public static TailPosition parse(String s) {
    if (s == null) {
      throw IsleException.invalidArgument("tail position must not be null");
    }
    int colon = s.indexOf(':');
    try {
      if (colon < 0) {
        throw new NumberFormatException();
      }
      return new TailPosition(
          Long.parseLong(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw IsleException.invalidArgument(
          "malformed tail position '" + s + "', expected <version>:<offset>");
    }
  }

  @Override
  public String toString() {
    return version + ":" + offset;
  }
}
