package io.isledb;

import java.util.Objects;

/**
 * The one unchecked exception IsleDB throws. Every failure carries a {@link Kind} from a closed
 * set, so callers can decide what to do (retry, re-open, give up) without parsing messages.
 *
 * <p>Subclasses exist only where callers are expected to branch on the type: {@link
 * CorruptionException} and {@link FencedException}.
 */
public class IsleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, at the level a caller can act on. The set is closed. */
  public enum Kind {
    /**
     * Stored bytes failed a checksum, a format check or a reference check (including a table the
     * newest version references but storage does not hold). Not retryable: retrying reads the same
     * bytes.
     */
    CORRUPTION(false),
    /** A newer instance of the same role took over; this instance must stop. Not retryable. */
    FENCED(false),
    /**
     * A concurrent change made this operation invalid (for example compaction inputs vanished).
     * Retryable: the same call against the newer state (after a refresh) may succeed.
     */
    CONFLICT(true),
    /** Storage could not be reached or failed; the operation may succeed if retried. Retryable. */
    UNAVAILABLE(true),
    /**
     * The caller passed something that can never succeed (too large, malformed, unsupported, a
     * position or version no longer retained). Not retryable with the same arguments.
     */
    INVALID_ARGUMENT(false),
    /** The object was closed before or during the call. Not retryable on this object. */
    CLOSED(false),
    /** A bug or an unexpected state inside IsleDB. Not retryable. */
    INTERNAL(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether a failure of this kind may go away if the same operation is tried again. */
    public boolean isRetryable() {
      return retryable;
    }
  }

  private final Kind kind;

  public IsleException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public IsleException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** The category of this failure. */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether the same operation may succeed if tried again: true for {@link Kind#UNAVAILABLE}
   * (storage failed; retry with backoff) and {@link Kind#CONFLICT} (a concurrent change; retry
   * against the refreshed state), false for every other kind.
   */
  public boolean isRetryable() {
    return kind.isRetryable();
  }

  @Override
  public String toString() {
    return getClass().getName() + "[" + kind + "]: " + getMessage();
  }

  /** Shorthand for an {@link Kind#INVALID_ARGUMENT} failure. */
  public static IsleException invalidArgument(String message) {
    return new IsleException(Kind.INVALID_ARGUMENT, message);
  }

  /** Shorthand for an {@link Kind#UNAVAILABLE} failure caused by an I/O error. */
  public static IsleException unavailable(String message, Throwable cause) {
    return new IsleException(Kind.UNAVAILABLE, message, cause);
  }

  /** Shorthand for a {@link Kind#CLOSED} failure. */
  public static IsleException closed(String what) {
    return new IsleException(Kind.CLOSED, what + " is closed");
  }

  /** Shorthand for an {@link Kind#INTERNAL} failure: an internal check of an impossible state. */
  public static IsleException internal(String message) {
    return new IsleException(Kind.INTERNAL, message);
  }

  /** Shorthand for an {@link Kind#INTERNAL} failure. */
  public static IsleException internal(String message, Throwable cause) {
    return new IsleException(Kind.INTERNAL, message, cause);
  }
}
