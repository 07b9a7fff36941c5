package io.isledb.storage;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams either to the object's final name (S3A publishes only on close, and an aborted stream
 * leaves nothing) or to a hidden temp file renamed into place on complete().
 */
@SuppressWarnings("try") // HadoopLoader scopes are not referenced in their bodies
final class StreamUpload extends CountedUpload {
  private static final Logger LOG = LoggerFactory.getLogger(StreamUpload.class);

  private final FSDataOutputStream out;
  private final Path tmp;
  private final StagedWrites publisher;

  private StreamUpload(
      StoreContext ctx, String name, FSDataOutputStream out, Path tmp, StagedWrites publisher) {
    super(ctx, name);
    this.out = out;
    this.tmp = tmp;
    this.publisher = publisher;
  }

  /** An upload whose stream publishes the object itself when closed (S3A). */
  static StreamUpload direct(StoreContext ctx, String name, FSDataOutputStream out) {
    return new StreamUpload(ctx, name, out, null, null);
  }

  /** An upload into the temp file {@code tmp}, which {@code publisher} renames into place. */
  static StreamUpload staged(
      StoreContext ctx, String name, FSDataOutputStream out, Path tmp, StagedWrites publisher) {
    return new StreamUpload(ctx, name, out, tmp, publisher);
  }

  @Override
  void writeBytes(byte[] data, int offset, int length) throws IOException {
    out.write(data, offset, length);
  }

  @Override
  void publish() throws IOException {
    boolean published = false;
    try {
      out.close();
      if (tmp != null) {
        publisher.publishByRename(tmp, ctx.path(name));
      }
      published = true;
    } finally {
      if (!published && tmp != null) {
        ctx.deleteQuietly(tmp);
      }
    }
  }

  @Override
  public void close() {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      if (done) {
        return;
      }
      done = true;
      try {
        if (tmp == null) {
          out.abort(); // S3A: the multipart upload or pending PUT is cancelled
        } else {
          out.close();
          ctx.fs().delete(tmp, false);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "abandoning the upload of {} failed: {}",
            ctx.where(name),
            Redaction.redact(e.toString()));
      }
    }
  }
}
