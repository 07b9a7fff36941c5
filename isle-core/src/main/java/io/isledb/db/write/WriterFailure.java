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

  /** The writer's failure for cause {@code t}, with {@code lostEntries} writes not flushed. */
  static IsleException of(Throwable t, String location, long lostEntries) {
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
