package io.isledb.storage;

import java.io.IOException;

/** Writes a hidden temp file, fsyncs it and renames it into place on complete(). */
final class LocalUpload extends CountedUpload {
  private final java.nio.file.Path target;
  private final java.nio.file.Path tmp;
  private final java.nio.channels.FileChannel channel;

  LocalUpload(StoreContext ctx, String name, java.nio.file.Path target) throws IOException {
    super(ctx, name);
    this.target = target;
    this.tmp = LocalFiles.tempFor(target);
    this.channel = LocalFiles.openTemp(tmp);
  }

  @Override
  void writeBytes(byte[] data, int offset, int length) throws IOException {
    LocalFiles.writeFully(channel, data, offset, length);
  }

  @Override
  void publish() throws IOException {
    try {
      channel.force(true);
      channel.close();
      ctx.hooks().beforePublish.beforePublish(tmp);
      LocalFiles.publishReplacing(tmp, target);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
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
