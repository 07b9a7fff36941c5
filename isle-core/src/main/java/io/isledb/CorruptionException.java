package io.isledb;

/**
 * Stored data failed verification: a checksum mismatch, a truncated or malformed object, an unknown
 * format version, or a referenced object that is missing. IsleDB never returns corrupt bytes as
 * data; it throws this instead, naming the object and what was wrong.
 */
public class CorruptionException extends IsleException {
  private static final long serialVersionUID = 1L;

  public CorruptionException(String message) {
    super(Kind.CORRUPTION, message);
  }

  public CorruptionException(String message, Throwable cause) {
    super(Kind.CORRUPTION, message, cause);
  }
}
