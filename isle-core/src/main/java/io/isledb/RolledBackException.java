package io.isledb;

/**
 * A tailing reader reached a rollback: the database was restored to an earlier version (a writer
 * opened with {@link IsleDB#openWriterRestoredTo}), so changes it already returned after that
 * version no longer exist, and the changes after the rollback are relative to the restored state,
 * not to what the consumer has seen. The reader stays before the rollback (every poll fails the
 * same way); a consumer starts over: read the database at {@link #version()} or later in full, then
 * tail from there. Kind {@link Kind#INVALID_ARGUMENT}: the position can never be continued.
 */
public class RolledBackException extends IsleException {
  private static final long serialVersionUID = 1L;

  private final long version;
  private final long restoredVersion;

  public RolledBackException(String message, long version, long restoredVersion) {
    super(Kind.INVALID_ARGUMENT, message);
    this.version = version;
    this.restoredVersion = restoredVersion;
  }

  /** The version the rollback published (its edit's slot). */
  public long version() {
    return version;
  }

  /** The earlier version whose state it restored. */
  public long restoredVersion() {
    return restoredVersion;
  }
}
