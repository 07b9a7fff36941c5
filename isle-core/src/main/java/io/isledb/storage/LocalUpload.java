package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.IOException;

/** Writes a hidden temp file, fsyncs it and renames it into place on complete(). */
final class LocalUpload implements ObjectUpload {
  private final StoreContext ctx;
  private final String name;
  private final java.nio.file.Path target;
  private final java.nio.file.Path tmp;
  private final java.nio.channels.FileChannel channel;
  private long position;
  private boolean done;

  LocalUpload(StoreContext ctx, String name, java.nio.file.Path target) throws IOException {
    this.ctx = ctx;
    this.name = name;
    this.target = target;
    this.tmp = LocalFiles.tempFor(target);
    this.channel = LocalFiles.openTemp(tmp);
  }

  @Override
  public void write(byte[] data, int offset, int length) {
    if (done) {
      throw IsleException.closed("upload of " + ctx.where(name));
    }
    try {
      LocalFiles.writeFully(channel, data, offset, length);
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
    try {
      channel.force(true);
      channel.close();
      ctx.hooks().beforePublish.beforePublish(tmp);
      LocalFiles.publishReplacing(tmp, target);
    } catch (IOException e) {
      throw ctx.failed("upload complete", name, e);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
    ctx.counters().written(position);
    return position;
  }

  @Override
  public void close() {
    done = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // Abandoned or already published; the temp file is removed below either way.
    }
    LocalFiles.deleteQuietly(tmp);
  }
}
