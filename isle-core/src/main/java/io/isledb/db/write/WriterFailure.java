package io.isledb.db.write;

import io.isledb.FencedException;
import io.isledb.IsleException;

/**
 * The failure a writer reports once a background flush failed or it was fenced: what happened, and
 * how many accepted writes were not flushed (and so are lost). Every later call, and every
 * outstanding {@code flushAsync} cut, reports it.
 */
final class WriterFailure {
  private WriterFailure() {}

  /**
   * The final failure of a flush whose commit may have landed: an append failed as UNAVAILABLE (a
   * lost response), so nobody knows whether the log holds the memtable's edit. Reported as such,
   * never as a plain failure: the version that holds {@code lastSeq} has the memtable's writes if
   * it landed. Only inside the writer: {@link #of} turns it into the failure callers see.
   */
  static final class CommitUnknown extends IsleException {
    private static final long serialVersionUID = 1L;
    private final long entries;

    CommitUnknown(IsleException cause, long firstSeq, long lastSeq, long entries) {
      super(
          cause.kind(),
          "the commit of sequence numbers "
              + firstSeq
              + ".."
              + lastSeq
              + " may have landed (a response was lost; if it did, every version from the one"
              + " holding sequence number "
              + lastSeq
              + " has these "
              + entries
              + " writes): "
              + cause.getMessage(),
          cause);
      this.entries = entries;
    }
  }

  /**
   * What the cut of a memtable whose commit outcome is unknown ({@code unknown}) reports when the
   * writer had failed before ({@code first}), not {@code first} alone: its version may exist.
   */
  static IsleException cutOutcomeUnknown(IsleException first, CommitUnknown unknown) {
    return new IsleException(
        unknown.kind(),
        "the outcome of this cut is unknown: "
            + unknown.getMessage()
            + "; the writer had failed before: "
            + first.getMessage(),
        unknown);
  }

  /** The writer's failure for cause {@code t}, with {@code lostEntries} writes not flushed. */
  static IsleException of(Throwable t, String location, long lostEntries) {
    if (t instanceof CommitUnknown cu) {
      long other = lostEntries - cu.entries;
      return new IsleException(
          cu.kind(),
          "background flush of "
              + location
              + " failed; "
              + (other <= 0
                  ? "no other accepted write was lost"
                  : other + " other accepted writes that were not yet flushed are lost")
              + ": "
              + cu.getMessage(),
          cu);
    }
    String lost =
        lostEntries == 0
            ? "no accepted write was lost"
            : lostEntries + " accepted writes that were not yet flushed are lost";
    if (t instanceof FencedException fe) {
      return new FencedException(
          "writer of " + location + " was fenced; " + lost + " (" + fe.getMessage() + ")", fe);
    } else if (t instanceof IsleException ie) {
      return new IsleException(
          ie.kind(),
          "background flush of " + location + " failed; " + lost + ": " + ie.getMessage(),
          ie);
    }
    return IsleException.internal("background flush of " + location + " failed; " + lost, t);
  }

  /** A new exception of the same type, so the caller's stack shows up too. */
  static IsleException rethrow(IsleException f) {
    if (f instanceof FencedException) {
      return new FencedException(f.getMessage(), f);
    }
    return new IsleException(f.kind(), f.getMessage(), f);
  }
}
