package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * Writes on {@code file://}, through java.nio because Hadoop's local create-no-overwrite and rename
 * are not atomic (see {@link LocalFiles}): every object is written to an fsynced hidden temp file
 * first, then published by an atomic move (put, uploads) or an atomic hard link (create-if-absent),
 * with the directory fsynced after.
 */
final class LocalWrites implements WriteStrategy {
  private final StoreContext ctx;
  private final Path localRoot;

  LocalWrites(StoreContext ctx) {
    this.ctx = ctx;
    this.localRoot = Path.of(ctx.root().toUri());
  }

  /**
   * The local file of object {@code name} (a checked name: relative, no dot segments), resolved
   * without a Hadoop {@code Path}, whose URI parse was a tenth of a table open's CPU time.
   */
  Path localPath(String name) {
    return localRoot.resolve(name);
  }

  @Override
  public void put(String name, byte[] data) throws IOException {
    Path target = localPath(name);
    Path tmp = LocalFiles.tempFor(target);
    try {
      LocalFiles.writeTemp(tmp, data);
      ctx.hooks().beforePublish.beforePublish(tmp);
      LocalFiles.publishReplacing(tmp, target);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) throws IOException {
    Path target = localPath(name);
    Path tmp = LocalFiles.tempFor(target);
    boolean linked;
    try {
      LocalFiles.writeTemp(tmp, data);
      linked = LocalFiles.publishIfAbsent(tmp, target);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
    if (linked) {
      ctx.counters().written(data.length);
      return true;
    }
    return ctx.holdsOurBytes(name, data)
        .orElseThrow(
            () ->
                IsleException.unavailable(
                    "createIfAbsent of "
                        + ctx.where(name)
                        + " lost to an object that then vanished",
                    new FileAlreadyExistsException(target.toString())));
  }

  @Override
  public ObjectUpload startUpload(String name) throws IOException {
    return new LocalUpload(ctx, name, localPath(name));
  }

  @Override
  public boolean atomicCreate() {
    return true;
  }
}
