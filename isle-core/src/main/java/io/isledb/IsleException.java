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
    /** Stored bytes failed a checksum, a format check or a reference check. Never retry blindly. */
    CORRUPTION,
    /** A newer instance of the same role took over; this instance must stop. */
    FENCED,
    /** A concurrent change made this operation invalid (for example compaction inputs vanished). */
    CONFLICT,
    /** Storage could not be reached or failed; the operation may succeed if retried. */
    UNAVAILABLE,
    /** The caller passed something that can never succeed (too large, malformed, unsupported). */
    INVALID_ARGUMENT,
    /** The object was closed before or during the call. */
    CLOSED,
    /** A bug or an unexpected state inside IsleDB. */
    INTERNAL
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

  /** Shorthand for an {@link Kind#INTERNAL} failure. */
  public static IsleException internal(String message, Throwable cause) {
    return new IsleException(Kind.INTERNAL, message, cause);
  }
}
