package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;

/**
 * Writes one table as an object through {@link ObjectStore#startUpload(String)}, streaming: memory
 * stays bounded (see {@link TableBuilder}) and the object becomes visible, whole, only when {@link
 * #finish()} returns. Closing without finishing abandons the upload. Not thread-safe.
 *
 * <pre>{@code
 * try (TableFileWriter w = TableFileWriter.create(store, "sstable/0a1/000123.sst", options)) {
 *   for (...) w.add(key, seq, kind, expiresAt, value);
 *   TableFile file = w.finish();
 * }
 * }</pre>
 */
final class TableFileWriter implements AutoCloseable {
  private final String name;
  private final ObjectUpload upload;
  private final TableBuilder builder;
  private boolean done;

  private TableFileWriter(String name, ObjectUpload upload, TableOptions options) {
    this.name = name;
    this.upload = upload;
    this.builder = new TableBuilder(new UploadStream(upload), options);
  }

  /** Starts writing the table {@code name} to {@code store}. */
  public static TableFileWriter create(ObjectStore store, String name, TableOptions options) {
    ObjectUpload upload = store.startUpload(name);
    try {
      return new TableFileWriter(name, upload, options);
    } catch (RuntimeException e) {
      upload.close();
      throw e;
    }
  }

  /** See {@link TableBuilder#add}. */
  public void add(byte[] userKey, long seq, ValueKind kind, long expiresAtMillis, byte[] value) {
    builder.add(userKey, seq, kind, expiresAtMillis, value);
  }

  /** See {@link TableBuilder#entryCount()}. */
  public long entryCount() {
    return builder.entryCount();
  }

  /** See {@link TableBuilder#estimatedFileSize()}. */
  public long estimatedFileSize() {
    return builder.estimatedFileSize();
  }

  /** See {@link TableBuilder#reachedTargetSize()}. */
  public boolean reachedTargetSize() {
    return builder.reachedTargetSize();
  }

  /** Finishes the table and completes the upload; returns the stored table's description. */
  public TableFile finish() {
    TableProperties props = builder.finish();
    long size = upload.complete();
    done = true;
    if (size != props.fileSize()) {
      throw new IsleException(
          IsleException.Kind.INTERNAL,
          "upload of " + name + " stored " + size + " bytes, the table has " + props.fileSize());
    }
    return new TableFile(name, size, props);
  }

  /** Abandons the upload unless {@link #finish()} succeeded; releases resources. */
  @Override
  public void close() {
    builder.close();
    if (!done) {
      upload.close();
    }
  }
}
