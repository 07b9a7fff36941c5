package io.isledb;

/**
 * A commit named an uploaded table ({@link SstHandle}) that no longer exists: it was not committed
 * within its lease ({@link SstWriterOptions#leaseTtl()}, at least the GC grace period), so GC
 * collected it. Nothing is committed. Not corruption and not retryable: the upload is gone for
 * good, its rows must be written again; a writer that may wait longer than its lease before it
 * commits needs a longer lease. The message names the table and its object.
 */
public class UploadExpiredException extends IsleException {
  private static final long serialVersionUID = 1L;

  public UploadExpiredException(String message) {
    super(Kind.INVALID_ARGUMENT, message);
  }
}
