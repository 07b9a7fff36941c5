package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams either to the object's final name (S3A publishes only on close, and an aborted stream
 * leaves nothing) or to a hidden temp file renamed into place on complete().
 */
final class StreamUpload implements ObjectUpload {
  private static final Logger LOG = LoggerFactory.getLogger(StreamUpload.class);

  private final StoreContext ctx;
  private final String name;
  private final FSDataOutputStream out;
  private final Path tmp;
  private final StagedWrites publisher;
  private long position;
  private boolean done;

  private StreamUpload(
      StoreContext ctx, String name, FSDataOutputStream out, Path tmp, StagedWrites publisher) {
    this.ctx = ctx;
    this.name = name;
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
  public void write(byte[] data, int offset, int length) {
    if (done) {
      throw IsleException.closed("upload of " + ctx.where(name));
    }
    try {
      out.write(data, offset, length);
    } catch (IOException e) {
      throw ctx.failed("upload write", name, e);
    }
    position += length;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public long complete() {
    ctx.checkCompletable(this, done, name);
    done = true;
    ctx.counters().count(RequestKind.UPLOAD);
    boolean published = false;
    try {
      out.close();
      if (tmp != null) {
        publisher.publishByRename(tmp, ctx.path(name));
      }
      published = true;
    } catch (IOException e) {
      throw ctx.failed("upload complete", name, e);
    } finally {
      if (!published && tmp != null) {
        ctx.deleteQuietly(tmp);
      }
    }
    ctx.counters().written(position);
    return position;
  }

  @Override
  public void close() {
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
