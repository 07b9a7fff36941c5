package io.isledb;

/**
 * A newer instance of the same role (writer, compactor, retention, gc) claimed the database, so
 * this instance may no longer publish anything. The message says which role, which epochs, and
 * what, if anything, this instance had accepted but not made durable.
 */
public class FencedException extends IsleException {
  private static final long serialVersionUID = 1L;

  public FencedException(String message) {
    super(Kind.FENCED, message);
  }

  public FencedException(String message, Throwable cause) {
    super(Kind.FENCED, message, cause);
  }
}
